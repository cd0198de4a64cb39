using System.Text;

namespace Amber.Storage.Index;

/// <summary>SQLite's BINARY collation for text: the order of the UTF-8 bytes (UTF-16 ordinal order differs above U+FFFF).</summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }
}

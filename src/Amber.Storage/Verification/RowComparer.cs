namespace Amber.Storage.Verification;

/// <summary>Index rows compared column by column as SQLite stores them: integers, reals, text, BLOBs (by content) and nulls.</summary>
internal sealed class RowComparer : IEqualityComparer<object?[]>
{
    public static readonly RowComparer Instance = new();

    public bool Equals(object?[]? x, object?[]? y)
    {
        if (x is null || y is null || x.Length != y.Length)
        {
            return ReferenceEquals(x, y);
        }

        for (var i = 0; i < x.Length; i++)
        {
            var same = (x[i], y[i]) switch
            {
                (null, null) => true,
                (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
                (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
                (long a, long b) => a == b,
                (double a, double b) => a.Equals(b),
                _ => false,
            };
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(object?[] obj)
    {
        var h = new HashCode();
        foreach (var v in obj)
        {
            switch (v)
            {
                case byte[] b:
                    h.AddBytes(b);
                    break;
                case string s:
                    h.Add(s, StringComparer.Ordinal);
                    break;
                default:
                    h.Add(v);
                    break;
            }
        }

        return h.ToHashCode();
    }
}

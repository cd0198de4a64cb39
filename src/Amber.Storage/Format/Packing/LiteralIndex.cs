using System.Buffers;

namespace Amber.Storage.Format.Packing;

/// <summary>
/// The string literals of a frame's inline blobs, by decoded value, found by a lenient scan: every quote that opens a
/// literal which decodes (<see cref="JsonLiteral.TryDecode"/>) counts, and a literal's decoded value is scanned the
/// same way, so a JSON body kept as a string inside a gateway exchange (raw-exchange.md) is searched too.
/// </summary>
internal sealed class LiteralIndex
{
    /// <summary>Shorter values are not worth a token.</summary>
    public const int MinLength = 16;

    private readonly Dictionary<byte[], Location> byValue = new(ByteArrayComparer.Instance);
    private readonly ArrayBufferWriter<byte> scratch = new();

    /// <summary>Where a value is: blob entry, the literal offsets from the blob down, and the decoded bytes.</summary>
    public sealed record Location(int Entry, int[] Path, byte[] Value);

    public int Count => byValue.Count;

    public void AddBlob(int entry, ReadOnlySpan<byte> bytes) => Scan(entry, [], bytes);

    public Location? Find(byte[] value) => byValue.GetValueOrDefault(value);

    private void Scan(int entry, int[] path, ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (true)
        {
            var q = bytes[i..].IndexOf((byte)'"');
            if (q < 0)
            {
                return;
            }

            i += q;
            scratch.ResetWrittenCount();
            if (!JsonLiteral.TryDecode(bytes, i, scratch, out var end))
            {
                i++;
                continue;
            }

            if (scratch.WrittenCount >= MinLength)
            {
                var value = scratch.WrittenSpan.ToArray();
                int[] here = [.. path, i];
                byValue.TryAdd(value, new Location(entry, here, value));
                if (here.Length < PackedStream.MaxDepth && value.AsSpan().Contains((byte)'"'))
                {
                    Scan(entry, here, value);
                }
            }

            i = end;
        }
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var h = default(HashCode);
            h.AddBytes(obj);
            return h.ToHashCode();
        }
    }
}

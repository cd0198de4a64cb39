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
    private readonly Dictionary<UInt128, (Location At, int Position)> windows = [];
    private readonly ArrayBufferWriter<byte> scratch = new();

    /// <summary>Every this many bytes of a literal a 16-byte window is indexed, so a substring of at least
    /// <see cref="MinLength"/> + <see cref="Stride"/> − 1 bytes is always found (shorter ones sometimes).</summary>
    private const int Stride = 8;

    /// <summary>Where a value is: blob entry, the literal offsets from the blob down, and the decoded bytes.</summary>
    public sealed record Location(int Entry, int[] Path, byte[] Value);

    public int Count => byValue.Count;

    public void AddBlob(int entry, ReadOnlySpan<byte> bytes)
    {
        // Sized once for a window every Stride bytes: growing it step by step was most of the scan's time (BENCHMARKS §35-R).
        windows.EnsureCapacity(windows.Count + (bytes.Length / Stride));
        Scan(entry, [], bytes);
    }

    /// <summary>A literal whose decoded value is <paramref name="value"/> (start 0), else one that contains it.</summary>
    public (Location At, int Start)? Find(byte[] value)
    {
        if (byValue.TryGetValue(value, out var exact))
        {
            return (exact, 0);
        }

        for (var j = 0; j < Stride && j + MinLength <= value.Length; j++)
        {
            if (windows.TryGetValue(Window(value, j), out var w) && w.Position >= j)
            {
                var start = w.Position - j;
                if (start + value.Length <= w.At.Value.Length && w.At.Value.AsSpan(start, value.Length).SequenceEqual(value))
                {
                    return (w.At, start);
                }
            }
        }

        return null;
    }

    private static UInt128 Window(ReadOnlySpan<byte> bytes, int at) => System.Runtime.InteropServices.MemoryMarshal.Read<UInt128>(bytes.Slice(at, MinLength));

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
                var location = new Location(entry, here, value);
                if (byValue.TryAdd(value, location))
                {
                    for (var p = 0; p + MinLength <= value.Length; p += Stride)
                    {
                        windows.TryAdd(Window(value, p), (location, p));
                    }
                }

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

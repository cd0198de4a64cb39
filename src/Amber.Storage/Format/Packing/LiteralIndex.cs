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

    private readonly Dictionary<ReadOnlyMemory<byte>, Location> byValue = new(BytesComparer.Instance);
    private readonly Dictionary<UInt128, (Location At, int Position)> windows = [];
    private readonly ArrayBufferWriter<byte> scratch = new();

    /// <summary>Every this many bytes of a literal a 16-byte window is indexed, so a substring of at least
    /// <see cref="MinLength"/> + <see cref="Stride"/> − 1 bytes is always found (shorter ones sometimes).</summary>
    private const int Stride = 8;

    /// <summary>
    /// Where a value is: blob entry, the literal offsets from the blob down, and the decoded bytes (a slice of the
    /// blob itself when the literal has no escape, so the scan copies only what it must decode).
    /// </summary>
    public sealed record Location(int Entry, int[] Path, ReadOnlyMemory<byte> Value);

    public int Count => byValue.Count;

    /// <summary>Indexes a blob's literals; the index refers into <paramref name="bytes"/>, which must outlive it.</summary>
    public void AddBlob(int entry, ReadOnlyMemory<byte> bytes)
    {
        // Sized once for a window every Stride bytes: growing it step by step was most of the scan's time (BENCHMARKS §35).
        windows.EnsureCapacity(windows.Count + (bytes.Length / Stride));
        Scan(entry, [], bytes);
    }

    /// <summary>A literal whose decoded value is <paramref name="value"/> (start 0), else one that contains it.</summary>
    public (Location At, int Start)? Find(ReadOnlySpan<byte> value)
    {
        if (byValue.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(value, out var exact))
        {
            return (exact, 0);
        }

        for (var j = 0; j < Stride && j + MinLength <= value.Length; j++)
        {
            if (windows.TryGetValue(Window(value, j), out var w) && w.Position >= j)
            {
                var start = w.Position - j;
                if (start + value.Length <= w.At.Value.Length && w.At.Value.Span.Slice(start, value.Length).SequenceEqual(value))
                {
                    return (w.At, start);
                }
            }
        }

        return null;
    }

    private static UInt128 Window(ReadOnlySpan<byte> bytes, int at) => System.Runtime.InteropServices.MemoryMarshal.Read<UInt128>(bytes.Slice(at, MinLength));

    private void Scan(int entry, int[] path, ReadOnlyMemory<byte> source)
    {
        var bytes = source.Span;
        var i = 0;
        while (true)
        {
            var q = bytes[i..].IndexOf((byte)'"');
            if (q < 0)
            {
                return;
            }

            i += q;
            ReadOnlyMemory<byte> value;
            int end;
            var close = bytes[(i + 1)..].IndexOfAny((byte)'"', (byte)'\\');
            if (close >= 0 && bytes[i + 1 + close] == (byte)'"')
            {
                // No escape before the closing quote: the decoded value is the literal's bytes (what TryDecode would copy).
                value = source.Slice(i + 1, close);
                end = i + close + 2;
            }
            else
            {
                scratch.ResetWrittenCount();
                if (!JsonLiteral.TryDecode(bytes, i, scratch, out end))
                {
                    i++;
                    continue;
                }

                value = scratch.WrittenCount >= MinLength ? scratch.WrittenSpan.ToArray() : ReadOnlyMemory<byte>.Empty;
            }

            if (value.Length >= MinLength)
            {
                int[] here = [.. path, i];
                var location = new Location(entry, here, value);
                if (byValue.TryAdd(value, location))
                {
                    var span = value.Span;
                    for (var p = 0; p + MinLength <= span.Length; p += Stride)
                    {
                        windows.TryAdd(Window(span, p), (location, p));
                    }
                }

                if (here.Length < PackedStream.MaxDepth && value.Span.Contains((byte)'"'))
                {
                    Scan(entry, here, value);
                }
            }

            i = end;
        }
    }

    /// <summary>Byte-wise equality of values, looked up by span without copying.</summary>
    private sealed class BytesComparer : IEqualityComparer<ReadOnlyMemory<byte>>, IAlternateEqualityComparer<ReadOnlySpan<byte>, ReadOnlyMemory<byte>>
    {
        public static readonly BytesComparer Instance = new();

        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> obj) => GetHashCode(obj.Span);

        public bool Equals(ReadOnlySpan<byte> alternate, ReadOnlyMemory<byte> other) => alternate.SequenceEqual(other.Span);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var h = default(HashCode);
            h.AddBytes(alternate);
            return h.ToHashCode();
        }

        public ReadOnlyMemory<byte> Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}

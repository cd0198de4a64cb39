using System.IO.Compression;

namespace Amber.Proxy.Exchanges;

/// <summary>Decodes a compressed response body for capture; the client always receives the bytes as sent.</summary>
internal static class BodyDecoder
{
    /// <summary>True for the encodings the gateway can decode (gzip, deflate, br).</summary>
    public static bool CanDecode(string? encoding)
        => encoding is not null && (Is(encoding, "gzip") || Is(encoding, "x-gzip") || Is(encoding, "deflate") || Is(encoding, "br"));

    /// <summary>
    /// The decoded bytes. A body cut off mid-stream decodes as far as it goes; the error is returned
    /// beside what was recovered, so a partial exchange keeps everything readable.
    /// </summary>
    public static (byte[] Bytes, string? Error) Decode(ReadOnlyMemory<byte> wire, string encoding)
    {
        var output = new MemoryStream();
        try
        {
            using var input = new MemoryStream(wire.ToArray(), writable: false);
            using var decoder = Decompressor(input, encoding, wire.Span);
            decoder.CopyTo(output);
            return (output.ToArray(), null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return (output.ToArray(), $"could not decode the {encoding} body past byte {output.Length} of output: {e.Message}");
        }
    }

    /// <summary>A decompressing stream over <paramref name="input"/> for <paramref name="encoding"/>; <paramref name="head"/> (the first bytes) tells zlib-wrapped deflate from raw deflate.</summary>
    public static Stream Decompressor(Stream input, string encoding, ReadOnlySpan<byte> head)
        => Is(encoding, "br") ? new BrotliStream(input, CompressionMode.Decompress)
            : Is(encoding, "deflate") ? (LooksLikeZlib(head) ? new ZLibStream(input, CompressionMode.Decompress) : new DeflateStream(input, CompressionMode.Decompress))
            : new GZipStream(input, CompressionMode.Decompress);

    private static bool LooksLikeZlib(ReadOnlySpan<byte> s) => s.Length >= 2 && (s[0] & 0x0F) == 8 && ((s[0] << 8) | s[1]) % 31 == 0;

    private static bool Is(string encoding, string name) => string.Equals(encoding.Trim(), name, StringComparison.OrdinalIgnoreCase);
}

namespace Amber.Proxy.Exchanges;

/// <summary>
/// Decodes a compressed stream as its chunks arrive, so the gateway can see where the final event of an
/// encoded event stream is while still forwarding the encoded bytes untouched. The decompressor reads from a
/// source that answers "no more for now" (0 bytes) when it has consumed every chunk so far; gzip, deflate and
/// Brotli decoders then return what they could decode and resume when the next chunk arrives.
/// </summary>
internal sealed class IncrementalDecoder : IDisposable
{
    private readonly ChunkSource source = new();
    private readonly Stream decoder;
    private readonly byte[] buffer = new byte[16 << 10];
    private bool failed;

    public IncrementalDecoder(string encoding, ReadOnlySpan<byte> firstChunk)
        => decoder = BodyDecoder.Decompressor(source, encoding, firstChunk);

    /// <summary>Every decoded byte so far.</summary>
    public ReadOnlyMemory<byte> Decoded => decodedBytes.GetBuffer().AsMemory(0, (int)decodedBytes.Length);

    private readonly MemoryStream decodedBytes = new();

    /// <summary>Feeds one chunk of the encoded stream and decodes as far as it goes. False once the stream cannot be decoded.</summary>
    public bool Append(ReadOnlySpan<byte> chunk)
    {
        if (failed)
        {
            return false;
        }

        source.Append(chunk);
        try
        {
            int n;
            while ((n = decoder.Read(buffer)) > 0)
            {
                decodedBytes.Write(buffer, 0, n);
            }

            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            failed = true;
            return false;
        }
    }

    public void Dispose()
    {
        decoder.Dispose();
        decodedBytes.Dispose();
    }

    /// <summary>A read-only stream over the chunks appended so far; reading past them returns 0 until more arrive.</summary>
    private sealed class ChunkSource : Stream
    {
        private readonly MemoryStream bytes = new();
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Append(ReadOnlySpan<byte> chunk)
        {
            bytes.Position = bytes.Length;
            bytes.Write(chunk);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            bytes.Position = position;
            var n = bytes.Read(buffer);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                bytes.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

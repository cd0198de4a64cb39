using Amber.Storage.FileSystem;

namespace Amber.Fuzz.Targets;

/// <summary>A read-only segment held in memory, for the scanner.</summary>
internal sealed class MemoryStorageFile(byte[] bytes) : IStorageFile
{
    public long Length => bytes.Length;

    public int Read(long offset, Span<byte> buffer)
    {
        if (offset >= bytes.Length)
        {
            return 0;
        }

        var n = (int)Math.Min(buffer.Length, bytes.Length - offset);
        bytes.AsSpan((int)offset, n).CopyTo(buffer);
        return n;
    }

    public void Write(long offset, ReadOnlySpan<byte> data) => throw new NotSupportedException("the fuzzed segment is read-only");

    public void SetLength(long length) => throw new NotSupportedException("the fuzzed segment is read-only");

    public void Sync()
    {
    }

    public void Dispose()
    {
    }
}

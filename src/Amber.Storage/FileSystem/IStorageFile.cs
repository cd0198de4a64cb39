namespace Amber.Storage.FileSystem;

/// <summary>A random-access file handle.</summary>
public interface IStorageFile : IDisposable
{
    long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; returns the count read.</summary>
    int Read(long offset, Span<byte> buffer);

    void Write(long offset, ReadOnlySpan<byte> data);

    void SetLength(long length);

    /// <summary>Makes every write so far durable (fsync).</summary>
    void Sync();
}

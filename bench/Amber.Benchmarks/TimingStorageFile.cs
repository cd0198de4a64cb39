using System.Diagnostics;
using Amber.Storage.FileSystem;

namespace Amber.Benchmarks;

/// <summary>A file handle whose reads, writes and fsyncs are timed into the owning <see cref="TimingFileSystem"/>'s counters.</summary>
internal sealed class TimingStorageFile(IStorageFile inner, TimingFileSystem owner) : IStorageFile
{
    public long Length => inner.Length;

    public int Read(long offset, Span<byte> buffer)
    {
        var t = Stopwatch.GetTimestamp();
        var n = inner.Read(offset, buffer);
        owner.Counters.AddRead(Stopwatch.GetTimestamp() - t);
        return n;
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        var t = Stopwatch.GetTimestamp();
        inner.Write(offset, data);
        owner.Counters.AddWrite(Stopwatch.GetTimestamp() - t, data.Length);
    }

    public void SetLength(long length) => inner.SetLength(length);

    public void Sync()
    {
        if (!owner.Durable)
        {
            return;
        }

        var t = Stopwatch.GetTimestamp();
        inner.Sync();
        owner.Counters.AddFileSync(Stopwatch.GetTimestamp() - t);
    }

    public void Dispose() => inner.Dispose();
}

using System.Diagnostics;
using Amber.Storage.FileSystem;

namespace Amber.Benchmarks;

/// <summary>
/// The real disk (<see cref="LocalFileSystem"/>) with every write, read and fsync timed. With
/// <c>durable: false</c> the fsyncs are skipped — only for the diagnostic "what if fsync were free" run.
/// (Because it is not <see cref="LocalFileSystem"/> itself, the archive skips its amber.lock file; that
/// costs nothing measurable and the benchmark is the only writer.)
/// </summary>
public sealed class TimingFileSystem(IoCounters counters, bool durable = true) : IFileSystem
{
    private readonly LocalFileSystem inner = LocalFileSystem.Instance;

    public IoCounters Counters { get; } = counters;

    public bool Durable { get; } = durable;

    public bool FileExists(string path) => inner.FileExists(path);

    public bool DirectoryExists(string path) => inner.DirectoryExists(path);

    public void CreateDirectory(string path) => inner.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) => inner.ListFiles(directory);

    public IReadOnlyList<string> ListDirectories(string directory) => inner.ListDirectories(directory);

    public IStorageFile OpenRead(string path) => new TimingStorageFile(inner.OpenRead(path), this);

    public IStorageFile OpenWrite(string path, bool create) => new TimingStorageFile(inner.OpenWrite(path, create), this);

    public void Rename(string source, string destination) => inner.Rename(source, destination);

    public void Delete(string path) => inner.Delete(path);

    public void SyncDirectory(string directory)
    {
        if (!Durable)
        {
            return;
        }

        var t = Stopwatch.GetTimestamp();
        inner.SyncDirectory(directory);
        Counters.AddDirectorySync(Stopwatch.GetTimestamp() - t);
    }
}

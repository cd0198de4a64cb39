using Amber.Storage.FileSystem;

namespace Amber.Testing;

/// <summary>
/// Wraps another file system and fails or tears writes, or fails fsyncs, on command — like Garnet's
/// simulated flaky device. Faults are armed for the next matching operation and fire once.
/// </summary>
public sealed class FaultInjectingFileSystem(IFileSystem inner) : IFileSystem
{
    private int writesUntilFailure = -1;
    private int tearKeepBytes = -1;
    private int syncsUntilFailure = -1;
    private int readsUntilFailure = -1;

    public IFileSystem Inner { get; } = inner;

    /// <summary>How many faults have fired.</summary>
    public int FaultsFired { get; private set; }

    /// <summary>How many fsyncs (files and folders) were asked of this file system, failed ones included.</summary>
    public int Syncs => Volatile.Read(ref syncs);

    private int syncs;

    /// <summary>The write after <paramref name="successfulWrites"/> more writes throws an IOException without writing.</summary>
    public void FailWriteAfter(int successfulWrites)
    {
        writesUntilFailure = successfulWrites;
        tearKeepBytes = -1;
    }

    /// <summary>The write after <paramref name="successfulWrites"/> more writes writes only <paramref name="keepBytes"/> bytes, then throws.</summary>
    public void TearWriteAfter(int successfulWrites, int keepBytes)
    {
        writesUntilFailure = successfulWrites;
        tearKeepBytes = keepBytes;
    }

    /// <summary>The fsync after <paramref name="successfulSyncs"/> more fsyncs throws.</summary>
    public void FailSyncAfter(int successfulSyncs) => syncsUntilFailure = successfulSyncs;

    /// <summary>
    /// The read after <paramref name="successfulReads"/> more reads (of any file opened for reading or writing from now on)
    /// throws an IOException: a read the writer makes while it prepares a commit, say.
    /// </summary>
    public void FailReadAfter(int successfulReads) => readsUntilFailure = successfulReads;

    /// <summary>Runs on the failing fsync's thread just before it throws: a test can hold the failure back until it is ready.</summary>
    public Action? BeforeSyncFails { get; set; }

    public void Disarm()
    {
        writesUntilFailure = -1;
        syncsUntilFailure = -1;
        tearKeepBytes = -1;
        readsUntilFailure = -1;
    }

    public bool FileExists(string path) => Inner.FileExists(path);

    public bool DirectoryExists(string path) => Inner.DirectoryExists(path);

    public void CreateDirectory(string path) => Inner.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) => Inner.ListFiles(directory);

    public IReadOnlyList<string> ListDirectories(string directory) => Inner.ListDirectories(directory);

    public IStorageFile OpenRead(string path) => new Handle(this, Inner.OpenRead(path));

    public IStorageFile OpenWrite(string path, bool create) => new Handle(this, Inner.OpenWrite(path, create));

    public void Rename(string source, string destination) => Inner.Rename(source, destination);

    public void Delete(string path) => Inner.Delete(path);

    public void SyncDirectory(string directory)
    {
        CheckSync();
        Inner.SyncDirectory(directory);
    }

    private void CheckRead()
    {
        if (readsUntilFailure == 0)
        {
            readsUntilFailure = -1;
            FaultsFired++;
            throw new IOException("injected fault: read failed");
        }

        if (readsUntilFailure > 0)
        {
            readsUntilFailure--;
        }
    }

    private void CheckSync()
    {
        Interlocked.Increment(ref syncs);
        if (syncsUntilFailure == 0)
        {
            syncsUntilFailure = -1;
            FaultsFired++;
            BeforeSyncFails?.Invoke();
            throw new IOException("injected fault: fsync failed");
        }

        if (syncsUntilFailure > 0)
        {
            syncsUntilFailure--;
        }
    }

    private sealed class Handle(FaultInjectingFileSystem owner, IStorageFile inner) : IStorageFile
    {
        public long Length => inner.Length;

        public int Read(long offset, Span<byte> buffer)
        {
            owner.CheckRead();
            return inner.Read(offset, buffer);
        }

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            if (owner.writesUntilFailure == 0)
            {
                owner.writesUntilFailure = -1;
                owner.FaultsFired++;
                if (owner.tearKeepBytes >= 0)
                {
                    inner.Write(offset, data[..Math.Min(owner.tearKeepBytes, data.Length)]);
                    owner.tearKeepBytes = -1;
                    throw new IOException("injected fault: torn write");
                }

                throw new IOException("injected fault: write failed");
            }

            if (owner.writesUntilFailure > 0)
            {
                owner.writesUntilFailure--;
            }

            inner.Write(offset, data);
        }

        public void SetLength(long length) => inner.SetLength(length);

        public void Sync()
        {
            owner.CheckSync();
            inner.Sync();
        }

        public void Dispose() => inner.Dispose();
    }
}

using Amber.Storage.FileSystem;

namespace Amber.Storage.Tests.Keys;

/// <summary>The local disk, noting each file's Unix mode and length at the moment its first byte is about to be written.</summary>
internal sealed class ModeObservingFileSystem(IFileSystem inner) : IFileSystem
{
    public List<(string Path, UnixFileMode Mode, long Length)> FirstWrites { get; } = [];

    public bool FileExists(string path) => inner.FileExists(path);

    public bool DirectoryExists(string path) => inner.DirectoryExists(path);

    public void CreateDirectory(string path) => inner.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) => inner.ListFiles(directory);

    public IReadOnlyList<string> ListDirectories(string directory) => inner.ListDirectories(directory);

    public IStorageFile OpenRead(string path) => inner.OpenRead(path);

    public IStorageFile OpenWrite(string path, bool create) => new Observed(this, path, inner.OpenWrite(path, create));

    public void Rename(string source, string destination) => inner.Rename(source, destination);

    public void Delete(string path) => inner.Delete(path);

    public void SyncDirectory(string directory) => inner.SyncDirectory(directory);

    private sealed class Observed(ModeObservingFileSystem owner, string path, IStorageFile file) : IStorageFile
    {
        private bool written;

        public long Length => file.Length;

        public int Read(long offset, Span<byte> buffer) => file.Read(offset, buffer);

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            if (!written && !OperatingSystem.IsWindows())
            {
                owner.FirstWrites.Add((path, File.GetUnixFileMode(path), new FileInfo(path).Length));
                written = true;
            }

            file.Write(offset, data);
        }

        public void SetLength(long length) => file.SetLength(length);

        public void Sync() => file.Sync();

        public void Dispose() => file.Dispose();
    }
}

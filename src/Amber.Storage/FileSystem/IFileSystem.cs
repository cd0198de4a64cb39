namespace Amber.Storage.FileSystem;

/// <summary>
/// The file operations the archive needs, so it can run over the local disk, memory, or a
/// fault-injecting wrapper. Paths are absolute or relative to the caller's root, '/'-separated.
/// </summary>
public interface IFileSystem
{
    bool FileExists(string path);

    bool DirectoryExists(string path);

    void CreateDirectory(string path);

    /// <summary>File names (not paths) directly inside <paramref name="directory"/>.</summary>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Subdirectory names directly inside <paramref name="directory"/>.</summary>
    IReadOnlyList<string> ListDirectories(string directory);

    IStorageFile OpenRead(string path);

    /// <summary>Opens for reading and writing, creating the file when <paramref name="create"/> is set.</summary>
    IStorageFile OpenWrite(string path, bool create);

    /// <summary>Atomically replaces <paramref name="destination"/> with <paramref name="source"/>.</summary>
    void Rename(string source, string destination);

    void Delete(string path);

    /// <summary>Makes a directory's entries (creations, renames, deletions) durable.</summary>
    void SyncDirectory(string directory);
}

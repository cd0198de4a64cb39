using System.Security.Cryptography;
using Amber.Storage.FileSystem;

namespace Amber.Storage.Verification;

/// <summary>
/// The fixity pass: re-reads and SHA-256-hashes every byte of every file in the archive folder (and the index, wherever it
/// is), in large reads, two files at a time (the machine's cores; one stream each is disk-bound). Never skipped.
/// </summary>
internal static class Fixity
{
    private const int BufferSize = 1 << 20;

    /// <summary>Files that are not archive data: locks, the memo itself, SQLite's shared-memory index, leftovers of atomic writes.</summary>
    private static bool Skipped(string name) =>
        name.EndsWith(".lock", StringComparison.Ordinal) || name.StartsWith(VerifyMemo.FileName, StringComparison.Ordinal)
        || name.EndsWith("-shm", StringComparison.Ordinal) || name.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary>Every file's length and SHA-256, by full path.</summary>
    /// <param name="fs">The archive's file system.</param>
    /// <param name="root">The archive folder.</param>
    /// <param name="extra">Files outside it to hash as well (the index may live elsewhere).</param>
    /// <param name="sqlite">The SQLite database among them, hashed as <see cref="Hash"/> says.</param>
    public static Dictionary<string, (long Length, byte[] Sha256)> HashAll(IFileSystem fs, string root, IEnumerable<string> extra, string sqlite)
    {
        var files = new List<string>();
        Walk(fs, root, files);
        files.AddRange(extra.Where(p => fs.FileExists(p) && !files.Contains(p)));
        var digests = new (long, byte[])[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => digests[i] = Hash(fs, files[i], files[i] == sqlite));
        var result = new Dictionary<string, (long, byte[])>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            result[files[i]] = digests[i];
        }

        return result;
    }

    /// <param name="fs">The file system the file is on.</param>
    /// <param name="path">The file.</param>
    /// <param name="sqlite">
    /// For an SQLite database: its header's file change counter (bytes 24–27) and version-valid-for number (92–95) are
    /// hashed as zeros. Every write transaction, even one that changes no row (the index's close), bumps them, and no
    /// row depends on them while the header's page count matches the file's length, which is required for the mask.
    /// </param>
    public static (long Length, byte[] Sha256) Hash(IFileSystem fs, string path, bool sqlite = false)
    {
        using var file = fs.OpenRead(path);
        var length = file.Length;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[(int)Math.Min(BufferSize, Math.Max(length, 1))];
        long pos = 0;
        while (pos < length)
        {
            var n = file.Read(pos, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - pos)));
            if (n <= 0)
            {
                break; // shorter than it said: the hash (and the deep check) see what is there
            }

            if (sqlite && pos == 0 && n >= 100)
            {
                var pageSize = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(16));
                var pages = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(28));
                if ((pageSize == 1 ? 65536L : pageSize) * pages == length)
                {
                    buffer.AsSpan(24, 4).Clear();
                    buffer.AsSpan(92, 4).Clear();
                }
            }

            sha.AppendData(buffer, 0, n);
            pos += n;
        }

        return (length, sha.GetHashAndReset());
    }

    private static void Walk(IFileSystem fs, string dir, List<string> into)
    {
        if (!fs.DirectoryExists(dir))
        {
            return;
        }

        foreach (var f in fs.ListFiles(dir).Order(StringComparer.Ordinal))
        {
            if (!Skipped(f))
            {
                into.Add(Path.Combine(dir, f));
            }
        }

        foreach (var d in fs.ListDirectories(dir).Order(StringComparer.Ordinal))
        {
            Walk(fs, Path.Combine(dir, d), into);
        }
    }
}

using Amber.Storage.FileSystem;

namespace Amber.Testing;

/// <summary>
/// A file system in memory that models durability: file contents are durable only up to the last
/// <see cref="IStorageFile.Sync"/>, and names (creations, renames, deletions) only after the directory
/// is synced. <see cref="Crash"/> throws away everything not durable, optionally keeping a torn part.
/// </summary>
public sealed class InMemoryFileSystem : IFileSystem
{
    private readonly Lock gate = new();
    private readonly HashSet<string> directories = new(StringComparer.Ordinal);
    private Dictionary<string, Inode> live = new(StringComparer.Ordinal);
    private Dictionary<string, Inode> durable = new(StringComparer.Ordinal);

    public bool FileExists(string path)
    {
        lock (gate)
        {
            return live.ContainsKey(Normalize(path));
        }
    }

    public bool DirectoryExists(string path)
    {
        lock (gate)
        {
            return directories.Contains(Normalize(path));
        }
    }

    public void CreateDirectory(string path)
    {
        lock (gate)
        {
            var p = Normalize(path);
            while (p.Length > 1)
            {
                directories.Add(p);
                p = Path.GetDirectoryName(p) ?? "/";
            }
        }
    }

    public IReadOnlyList<string> ListFiles(string directory)
    {
        lock (gate)
        {
            var d = Normalize(directory);
            return live.Keys.Where(k => Path.GetDirectoryName(k) == d).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        }
    }

    public IReadOnlyList<string> ListDirectories(string directory)
    {
        lock (gate)
        {
            var d = Normalize(directory);
            return directories.Where(k => Path.GetDirectoryName(k) == d).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        }
    }

    public IStorageFile OpenRead(string path)
    {
        lock (gate)
        {
            return live.TryGetValue(Normalize(path), out var inode) ? new Handle(this, inode) : throw new FileNotFoundException($"No such file: {path}", path);
        }
    }

    public IStorageFile OpenWrite(string path, bool create)
    {
        lock (gate)
        {
            var p = Normalize(path);
            if (!live.TryGetValue(p, out var inode))
            {
                if (!create)
                {
                    throw new FileNotFoundException($"No such file: {path}", path);
                }

                if (!directories.Contains(Path.GetDirectoryName(p)!))
                {
                    throw new DirectoryNotFoundException($"No such directory for {path}");
                }

                live[p] = inode = new Inode();
            }

            return new Handle(this, inode);
        }
    }

    public void Rename(string source, string destination)
    {
        lock (gate)
        {
            var s = Normalize(source);
            if (!live.Remove(s, out var inode))
            {
                throw new FileNotFoundException($"No such file: {source}", source);
            }

            live[Normalize(destination)] = inode;
        }
    }

    public void Delete(string path)
    {
        lock (gate)
        {
            live.Remove(Normalize(path));
        }
    }

    public void SyncDirectory(string directory)
    {
        lock (gate)
        {
            var d = Normalize(directory);
            foreach (var k in durable.Keys.Where(k => Path.GetDirectoryName(k) == d).ToList())
            {
                durable.Remove(k);
            }

            foreach (var (k, v) in live.Where(p => Path.GetDirectoryName(p.Key) == d))
            {
                durable[k] = v;
            }
        }
    }

    /// <summary>
    /// Simulates power loss: names revert to their last directory sync and contents to their last file
    /// sync. With <paramref name="tear"/>, each file keeps a random part of its unsynced bytes (a torn write).
    /// </summary>
    public void Crash(Random? tear = null)
    {
        lock (gate)
        {
            // A file created and synced whose directory was never synced is lost, as on a real disk.
            live = new Dictionary<string, Inode>(durable, StringComparer.Ordinal);
            foreach (var inode in live.Values.Distinct())
            {
                inode.Revert(tear);
            }

            durable = new Dictionary<string, Inode>(live, StringComparer.Ordinal);
        }
    }

    /// <summary>Direct access to a file's current bytes, for tests that damage an archive on purpose.</summary>
    public byte[] ReadAllBytes(string path)
    {
        lock (gate)
        {
            return [.. live[Normalize(path)].Data];
        }
    }

    public void WriteAllBytes(string path, byte[] bytes)
    {
        lock (gate)
        {
            var inode = live[Normalize(path)];
            inode.Data.Clear();
            inode.Data.AddRange(bytes);
            inode.Synced = [.. bytes];
        }
    }

    private static string Normalize(string path) => Path.GetFullPath(path).TrimEnd('/') is { Length: > 0 } p ? p : "/";

    private sealed class Inode
    {
        public List<byte> Data { get; } = [];

        public byte[] Synced { get; set; } = [];

        public void Revert(Random? tear)
        {
            var current = Data.ToArray();
            Data.Clear();
            Data.AddRange(Synced);
            if (tear is not null && current.Length > Synced.Length && current.AsSpan(0, Synced.Length).SequenceEqual(Synced))
            {
                var keep = tear.Next(0, current.Length - Synced.Length + 1);
                Data.AddRange(current.AsSpan(Synced.Length, keep).ToArray());
            }

            Synced = [.. Data];
        }
    }

    private sealed class Handle(InMemoryFileSystem fs, Inode inode) : IStorageFile
    {
        public long Length
        {
            get
            {
                lock (fs.gate)
                {
                    return inode.Data.Count;
                }
            }
        }

        public int Read(long offset, Span<byte> buffer)
        {
            lock (fs.gate)
            {
                var n = (int)Math.Max(0, Math.Min(buffer.Length, inode.Data.Count - offset));
                for (var i = 0; i < n; i++)
                {
                    buffer[i] = inode.Data[(int)offset + i];
                }

                return n;
            }
        }

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            lock (fs.gate)
            {
                while (inode.Data.Count < offset)
                {
                    inode.Data.Add(0);
                }

                for (var i = 0; i < data.Length; i++)
                {
                    var at = (int)offset + i;
                    if (at < inode.Data.Count)
                    {
                        inode.Data[at] = data[i];
                    }
                    else
                    {
                        inode.Data.Add(data[i]);
                    }
                }
            }
        }

        public void SetLength(long length)
        {
            lock (fs.gate)
            {
                if (length < inode.Data.Count)
                {
                    inode.Data.RemoveRange((int)length, inode.Data.Count - (int)length);
                }

                while (inode.Data.Count < length)
                {
                    inode.Data.Add(0);
                }
            }
        }

        public void Sync()
        {
            lock (fs.gate)
            {
                inode.Synced = [.. inode.Data];
            }
        }

        public void Dispose()
        {
        }
    }
}

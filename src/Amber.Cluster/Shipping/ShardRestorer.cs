using System.Globalization;
using Amber.Cluster.Objects;
using Amber.Storage;
using Amber.Storage.FileSystem;

namespace Amber.Cluster.Shipping;

/// <summary>
/// Gives a shard back from the object store as an archive folder: the manifest, the log's public key, each sealed
/// segment, the active segment laid together from its tail pieces, and every blob file. The signing key is never in the
/// store, and need not be: <c>log/vkey</c> suffices to read and verify the shard (an open without the signing key builds
/// <c>index.db</c> from the segments and commits nothing).
/// </summary>
public static class ShardRestorer
{
    /// <summary>The names of the shards the store holds (each <c>shards/NODE/</c> with a manifest), in order.</summary>
    public static async Task<IReadOnlyList<string>> ListShardsAsync(S3ObjectStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var shards = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var o in store.ListAsync("shards/", cancellationToken).ConfigureAwait(false))
        {
            var rest = o.Name["shards/".Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && rest[(slash + 1)..] == "archive.json")
            {
                shards.Add(rest[..slash]);
            }
        }

        return [.. shards];
    }

    /// <summary>
    /// Writes the shard <paramref name="node"/> into <paramref name="folder"/> (which must not hold an archive yet) and
    /// returns the number of bytes written. A missing manifest or key, or tail pieces with a gap, is an error naming the
    /// object; nothing is left in the folder then.
    /// </summary>
    public static async Task<long> RestoreAsync(S3ObjectStore store, string node, string folder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        NodeName.ThrowIfInvalid(node);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var paths = new ArchivePaths(folder);
        if (File.Exists(paths.Manifest))
        {
            throw new InvalidOperationException($"{folder} already holds an archive; restore a shard into an empty folder.");
        }

        var prefix = "shards/" + node + "/";
        var names = new List<string>();
        await foreach (var o in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            names.Add(o.Name[prefix.Length..]);
        }

        foreach (var needed in new[] { "archive.json", "log/vkey" })
        {
            if (!names.Contains(needed))
            {
                throw new InvalidOperationException($"{store.Location}/{prefix}{needed}: missing from the object store; the shard cannot be restored without it.");
            }
        }

        long written = 0;
        try
        {
            async Task<byte[]> GetAsync(string name)
                => await store.GetAsync(prefix + name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"{store.Location}/{prefix}{name}: listed but gone when read.");

            void Write(string path, byte[] bytes)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                AtomicFile.Write(path, bytes);
                written += bytes.Length;
            }

            Write(Path.Combine(folder, "log", "vkey"), await GetAsync("log/vkey").ConfigureAwait(false));
            foreach (var name in names.Where(n => n.StartsWith("segments/", StringComparison.Ordinal)))
            {
                var file = name["segments/".Length..];
                if (!ArchivePaths.TryParseSegmentName(file, out var number))
                {
                    throw new InvalidOperationException($"{store.Location}/{prefix}{name}: not a segment name.");
                }

                Write(paths.Segment(number), await GetAsync(name).ConfigureAwait(false));
            }

            foreach (var group in names.Where(n => n.StartsWith("tails/", StringComparison.Ordinal)).GroupBy(n => n.Split('/')[1]))
            {
                if (!ArchivePaths.TryParseSegmentName(group.Key, out var number))
                {
                    throw new InvalidOperationException($"{store.Location}/{prefix}tails/{group.Key}: not a segment name.");
                }

                if (names.Contains("segments/" + group.Key))
                {
                    continue; // sealed since: the whole segment was restored above
                }

                using var joined = new MemoryStream();
                foreach (var tail in group.Order(StringComparer.Ordinal))
                {
                    var range = tail[(tail.LastIndexOf('/') + 1)..].Split('-');
                    var from = long.Parse(range[0], CultureInfo.InvariantCulture);
                    var to = long.Parse(range[1], CultureInfo.InvariantCulture);
                    if (from != joined.Length)
                    {
                        throw new InvalidOperationException($"{store.Location}/{prefix}{tail}: starts at {from}, but the pieces before it end at {joined.Length} (a piece is missing).");
                    }

                    var bytes = await GetAsync(tail).ConfigureAwait(false);
                    if (bytes.Length != to - from)
                    {
                        throw new InvalidOperationException($"{store.Location}/{prefix}{tail}: holds {bytes.Length} bytes, its name says {to - from}.");
                    }

                    joined.Write(bytes);
                }

                Write(paths.Segment(number), joined.ToArray());
            }

            foreach (var name in names.Where(n => n.StartsWith("blobs/", StringComparison.Ordinal)))
            {
                Write(Path.Combine(paths.Blobs, name["blobs/".Length..].Replace('/', Path.DirectorySeparatorChar)), await GetAsync(name).ConfigureAwait(false));
            }

            // The manifest last: a folder without it is no archive, so a restore cut short is never opened as one.
            Write(paths.Manifest, await GetAsync("archive.json").ConfigureAwait(false));
            return written;
        }
        catch
        {
            foreach (var part in new[] { paths.Segments, paths.Blobs, Path.Combine(folder, "log") })
            {
                if (Directory.Exists(part))
                {
                    Directory.Delete(part, recursive: true);
                }
            }

            throw;
        }
    }
}

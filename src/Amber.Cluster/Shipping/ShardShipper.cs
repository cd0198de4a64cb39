using System.Globalization;
using Amber.Cluster.Objects;
using Amber.Storage;

namespace Amber.Cluster.Shipping;

/// <summary>
/// Ships a node's shard (its own local archive) to the object store under <c>shards/NODE/</c>, every object put once
/// under the store's Object Lock: the manifest, the log's public key (<c>log/vkey</c>; never the signing key), each
/// sealed segment whole, the durable bytes of the active segment as immutable tail pieces
/// (<c>tails/seg-N.amb/FROM-TO</c>, which laid end to end give the segment as far as it was shipped), every external blob
/// file, and the latest signed checkpoint (<c>checkpoints/SIZE</c>). Each pass lists what the bucket already holds and puts
/// only what is missing, so a shipper that restarts (or another process) carries on from the bucket, not from local state.
/// </summary>
public sealed class ShardShipper
{
    private readonly S3ObjectStore store;
    private bool checkedOwner;

    public ShardShipper(S3ObjectStore store, string node)
    {
        ArgumentNullException.ThrowIfNull(store);
        NodeName.ThrowIfInvalid(node);
        this.store = store;
        Node = node;
        Prefix = "shards/" + node + "/";
    }

    public string Node { get; }

    /// <summary>Where the shard's objects are named, under the store's own prefix.</summary>
    public string Prefix { get; }

    /// <summary>
    /// Puts what the bucket does not hold yet of <paramref name="archive"/> (opened as the writer) as it stands now.
    /// When it returns, every commit acknowledged before the call is in the object store.
    /// </summary>
    public async Task<ShipReport> ShipAsync(Archive archive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        // A snapshot of where the durable data ends; what follows it is shipped by the next pass.
        var state = archive.HoldingWriter("Shipping a shard", s => s);
        var held = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var o in store.ListAsync(Prefix, cancellationToken).ConfigureAwait(false))
        {
            held[o.Name[Prefix.Length..]] = o.Size;
        }

        if (!checkedOwner && held.ContainsKey("archive.json"))
        {
            // A node name is one shard for good: another archive (a node whose folder was lost) must not mix its segments in.
            var stored = await store.GetAsync(Prefix + "archive.json", cancellationToken).ConfigureAwait(false);
            var owner = stored is null ? null : System.Text.Json.Nodes.JsonNode.Parse(stored)?["archive_id"]?.GetValue<string>();
            if (owner != archive.ArchiveId)
            {
                throw new InvalidOperationException(
                    $"{store.Location}/{Prefix} holds the shard of archive {owner ?? "(unreadable)"}, not of this archive ({archive.ArchiveId}); give this node another name.");
            }
        }

        checkedOwner = true;
        var fs = archive.FileSystem;
        var paths = archive.Paths;
        var put = new List<(string Name, long Bytes)>();

        async Task PutFileAsync(string name, string path, long from, long to)
        {
            var bytes = Read(fs, path, from, to);
            await store.PutAsync(Prefix + name, bytes, cancellationToken).ConfigureAwait(false);
            held[name] = bytes.Length;
            put.Add((name, bytes.Length));
        }

        foreach (var (name, path) in new[] { ("archive.json", paths.Manifest), ("log/vkey", Path.Combine(paths.Root, "log", "vkey")) })
        {
            if (fs.FileExists(path) && !held.ContainsKey(name))
            {
                using var f = fs.OpenRead(path);
                var length = f.Length;
                await PutFileAsync(name, path, 0, length).ConfigureAwait(false);
            }
        }

        foreach (var number in archive.SegmentNumbers().Where(n => n <= state.Segment).Order())
        {
            var segment = Amber.Storage.ArchivePaths.SegmentName(number);
            var path = paths.Segment(number);
            if (number < state.Segment || state.Sealed)
            {
                // Sealed: shipped whole, again only if its size changed (a compaction rewrote it; the locked first version stays).
                using var f = fs.OpenRead(path);
                var length = f.Length;
                if (held.GetValueOrDefault("segments/" + segment, -1) != length)
                {
                    await PutFileAsync("segments/" + segment, path, 0, length).ConfigureAwait(false);
                }

                continue;
            }

            var shipped = ShippedEnd(held, segment);
            if (state.End > shipped)
            {
                await PutFileAsync(TailName(segment, shipped, state.End), path, shipped, state.End).ConfigureAwait(false);
            }
        }

        foreach (var dir in fs.ListDirectories(paths.Blobs))
        {
            foreach (var file in fs.ListFiles(Path.Combine(paths.Blobs, dir)).Where(f => f.EndsWith(".zst", StringComparison.Ordinal)))
            {
                var name = "blobs/" + dir + "/" + file;
                if (!held.ContainsKey(name))
                {
                    var path = Path.Combine(paths.Blobs, dir, file);
                    using var f = fs.OpenRead(path);
                    var length = f.Length;
                    await PutFileAsync(name, path, 0, length).ConfigureAwait(false);
                }
            }
        }

        if (archive.IndexCatalogue.LatestCheckpointNote() is { } note && CheckpointSize(note) is { } size)
        {
            var name = "checkpoints/" + size.ToString("D20", CultureInfo.InvariantCulture);
            if (!held.ContainsKey(name))
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(note);
                await store.PutAsync(Prefix + name, bytes, cancellationToken).ConfigureAwait(false);
                put.Add((name, bytes.Length));
            }
        }

        return new ShipReport(Node, put.Count, put.Sum(p => p.Bytes), string.Create(CultureInfo.InvariantCulture, $"{state.Segment}:{state.End}"));
    }

    /// <summary>
    /// Re-reads every object of the shard and compares it with the node's files: each problem names the object and
    /// what is wrong with it (missing, or its bytes differ from the file's). Only what a pass had shipped is expected:
    /// the sealed segments, the active segment as far as its tail pieces reach, the blob files.
    /// </summary>
    public async Task<IReadOnlyList<string>> AuditAsync(Archive archive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var state = archive.HoldingWriter("Auditing a shard", s => s);
        var held = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var o in store.ListAsync(Prefix, cancellationToken).ConfigureAwait(false))
        {
            held[o.Name[Prefix.Length..]] = o.Size;
        }

        var fs = archive.FileSystem;
        var paths = archive.Paths;
        var problems = new List<string>();
        async Task CompareAsync(string name, string path, long length)
        {
            var local = Read(fs, path, 0, length);
            var stored = await store.GetAsync(Prefix + name, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                problems.Add($"{store.Location}/{Prefix}{name}: missing from the object store (the node holds {length} bytes of it)");
            }
            else if (!stored.AsSpan().SequenceEqual(local))
            {
                problems.Add($"{store.Location}/{Prefix}{name}: altered (its {stored.Length} bytes differ from the node's {local.Length})");
            }
        }

        foreach (var number in archive.SegmentNumbers().Where(n => n <= state.Segment).Order())
        {
            var segment = Amber.Storage.ArchivePaths.SegmentName(number);
            var path = paths.Segment(number);
            if (number < state.Segment || state.Sealed)
            {
                await CompareAsync("segments/" + segment, path, Length(fs, path)).ConfigureAwait(false);
                continue;
            }

            // The tail pieces must follow each other with no gap and hold the segment's bytes.
            long at = 0;
            foreach (var tail in held.Keys.Where(k => k.StartsWith("tails/" + segment + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var range = tail[(tail.LastIndexOf('/') + 1)..].Split('-');
                var from = long.Parse(range[0], CultureInfo.InvariantCulture);
                var to = long.Parse(range[1], CultureInfo.InvariantCulture);
                if (from != at)
                {
                    problems.Add($"{store.Location}/{Prefix}{tail}: starts at {from}, but the pieces before it end at {at} (a piece is missing)");
                }

                var stored = await store.GetAsync(Prefix + tail, cancellationToken).ConfigureAwait(false);
                if (stored is null || stored.Length != to - from || !stored.AsSpan().SequenceEqual(Read(fs, path, from, to)))
                {
                    problems.Add($"{store.Location}/{Prefix}{tail}: altered (bytes {from}-{to} of {segment} differ from the node's)");
                }

                at = to;
            }
        }

        foreach (var dir in fs.ListDirectories(paths.Blobs))
        {
            foreach (var file in fs.ListFiles(Path.Combine(paths.Blobs, dir)).Where(f => f.EndsWith(".zst", StringComparison.Ordinal)))
            {
                var path = Path.Combine(paths.Blobs, dir, file);
                await CompareAsync("blobs/" + dir + "/" + file, path, Length(fs, path)).ConfigureAwait(false);
            }
        }

        return problems;
    }

    private static long Length(Amber.Storage.FileSystem.IFileSystem fs, string path)
    {
        using var file = fs.OpenRead(path);
        return file.Length;
    }

    private static byte[] Read(Amber.Storage.FileSystem.IFileSystem fs, string path, long from, long to)
    {
        var bytes = new byte[to - from];
        using var file = fs.OpenRead(path);
        var read = 0;
        while (read < bytes.Length)
        {
            var n = file.Read(from + read, bytes.AsSpan(read));
            if (n <= 0)
            {
                throw new IOException($"{path} ended at {from + read} while reading bytes {from}-{to} of it");
            }

            read += n;
        }

        return bytes;
    }

    /// <summary>The name of the tail piece holding bytes [<paramref name="from"/>, <paramref name="to"/>) of an active segment.</summary>
    internal static string TailName(string segment, long from, long to)
        => string.Create(CultureInfo.InvariantCulture, $"tails/{segment}/{from:D12}-{to:D12}");

    /// <summary>How far an active segment's tail pieces reach (their largest end), or 0.</summary>
    internal static long ShippedEnd(IReadOnlyDictionary<string, long> held, string segment)
    {
        var prefix = "tails/" + segment + "/";
        long end = 0;
        foreach (var name in held.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var dash = name.LastIndexOf('-');
            if (dash > prefix.Length && long.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var to))
            {
                end = Math.Max(end, to);
            }
        }

        return end;
    }

    /// <summary>The tree size of a checkpoint note (its second line).</summary>
    private static long? CheckpointSize(string note)
        => note.Split('\n') is { Length: > 2 } lines && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : null;
}

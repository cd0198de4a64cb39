using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Core.Time;
using Amber.Transparency.Checkpoints;

namespace Amber.Storage.Export;

/// <summary>
/// Writes an archive's log range as a BagIt 1.0 bag (RFC 8493) in open shapes (FORMAT.md, written into the bag, explains
/// every file): one JSON Lines file per conversation whose node lines are the exact canonical bytes each id hashes, the
/// blobs as files, models and annotations, and the log (entries with what replays them, the signed checkpoint, the
/// verifier key, a receipt for every leaf, and for an incremental bag a consistency proof). Nothing is read from the
/// index but where each commit's frame is: every commit is read from its frame and checked against its signed leaf.
/// </summary>
public static class BagExport
{
    /// <summary>The bag layout's name and version, in bag-info.txt and in every conversation file's first line.</summary>
    public const string FormatName = "amber.bag/v1";

    /// <summary>Writes the bag of <paramref name="archive"/> (or of the commits <paramref name="options"/> selects) into the new or empty folder <paramref name="directory"/>.</summary>
    /// <param name="progress">Told the log entries read so far, of all the bag covers (on the exporting thread).</param>
    public static BagExportResult Write(Archive archive, string directory, BagExportOptions? options = null, IProgress<BagExportProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= new BagExportOptions();
        if (System.IO.Directory.Exists(directory) && System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new IOException($"{directory}: the folder is not empty; a bag is written into a new or empty folder.");
        }

        if (!archive.IsReadOnly)
        {
            archive.EnsureCheckpointAsync().GetAwaiter().GetResult(); // every commit so far gets covered by the bag's checkpoint
        }
        else
        {
            archive.RefreshLog();
        }

        var log = archive.Log;
        var checkpoint = log.LatestCheckpoint ?? throw new InvalidOperationException("The log has no signed checkpoint yet, so there is nothing to export.");
        var toSize = Checkpoint.Parse(checkpoint.Text).Size;
        var fromSize = Since(archive, options, toSize);
        var files = new BagFiles(directory);
        var conversations = new Dictionary<string, ConversationOut>(StringComparer.Ordinal);
        var models = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var annotations = new List<byte[]>();
        var blobIds = new List<string>();
        var commitLines = new StringBuilder();
        var proofs = new List<(long Index, byte[] Receipt)>();
        var commits = 0;
        foreach (var commit in ExportedCommits.Read(archive, fromSize, toSize))
        {
            progress?.Report(new BagExportProgress(commit.Seq - fromSize, toSize - fromSize));
            if (options.Tenant is { } tenant && commit.Tenant != tenant)
            {
                continue;
            }

            commits++;
            var proof = log.Prove(commit.Seq - 1, commit.Entry);
            if (proof.Checkpoint.Size != toSize)
            {
                throw new InvalidOperationException("The log grew while the bag was written (another process commits); export again.");
            }

            proofs.Add((commit.Seq - 1, proof.ToBytes()));
            blobIds.AddRange(commit.Blobs);
            foreach (var (id, bytes) in commit.Models)
            {
                models.TryAdd(id, bytes);
            }

            annotations.AddRange(commit.Annotations.Select(a => a.Bytes));
            var lineConversations = new JsonArray();
            var raws = ((JsonObject)JsonNode.Parse(commit.Entry)!)["conversations"]!.AsArray()
                .ToDictionary(x => x!["id"]!.GetValue<string>(), x => x!["raw"]!.AsArray().Select(r => r!.GetValue<string>()).ToList(), StringComparer.Ordinal);
            foreach (var (id, record, nodes) in commit.Conversations)
            {
                if (!conversations.TryGetValue(id, out var c))
                {
                    conversations[id] = c = new ConversationOut(id);
                }

                c.Record = record;
                foreach (var node in nodes)
                {
                    c.Add(node, commit.Nodes.GetValueOrDefault(node) ?? StoredNode(archive, node));
                }

                c.Raw.UnionWith(raws.GetValueOrDefault(id) ?? []);
                lineConversations.Add(new JsonObject { ["id"] = id, ["record"] = JsonNode.Parse(record), ["nodes"] = new JsonArray(nodes.Select(n => (JsonNode)n).ToArray()) });
            }

            var line = new JsonObject
            {
                ["seq"] = commit.Seq,
                ["entry"] = Encoding.UTF8.GetString(commit.Entry),
                ["conversations"] = lineConversations,
                ["blobs"] = new JsonArray(commit.Blobs.Select(b => (JsonNode)b).ToArray()),
                ["annotations"] = new JsonArray(commit.Annotations.Select(a => (JsonNode)a.Id).ToArray()),
            };
            commitLines.Append(Encoding.UTF8.GetString(CanonicalJson.Canonicalize(line))).Append('\n');
        }

        if (options.Tenant is not null)
        {
            // A tenant's bag is imported without the other tenants' commits, so it also carries what its nodes share with them.
            AddReferenced(archive, conversations.Values, models, blobIds);
        }

        var nodeCount = 0;
        foreach (var c in conversations.Values.OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            nodeCount += c.Nodes.Count;
            files.Payload($"data/conversations/{Hex(c.Id)}.jsonl", c.ToBytes());
        }

        files.Payload("data/models.jsonl", Lines(models.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Value)));
        files.Payload("data/annotations.jsonl", Lines(annotations));
        var distinctBlobs = blobIds.Distinct(StringComparer.Ordinal).ToList();
        foreach (var id in distinctBlobs)
        {
            files.Payload($"data/blobs/{Hex(id)}", archive.GetBlob(id) ?? throw new CorruptArchiveException($"blob {id} is listed by a commit but cannot be read; run `amber verify`."));
        }

        files.Payload("data/log/commits.jsonl", Encoding.UTF8.GetBytes(commitLines.ToString()));
        files.Payload("data/log/checkpoint", checkpoint.ToBytes());
        files.Payload("data/log/vkey", Encoding.UTF8.GetBytes(log.VerifierKey + "\n"));
        foreach (var (index, receipt) in proofs)
        {
            files.Payload($"data/log/proofs/{index.ToString(CultureInfo.InvariantCulture)}.tlog-proof", receipt);
        }

        if (fromSize > 0)
        {
            var consistency = fromSize == toSize ? [] : log.ConsistencyProof(fromSize, toSize);
            files.Payload("data/log/consistency", Encoding.UTF8.GetBytes(string.Concat(consistency.Select(h => Convert.ToBase64String(h) + "\n"))));
            if (options.SinceCheckpoint is { } since)
            {
                files.Payload("data/log/since-checkpoint", Encoding.UTF8.GetBytes(since));
            }
        }

        var info = new StringBuilder();
        info.Append("Bag-Software-Agent: amber\n");
        info.Append("Bagging-Date: ").Append(Timestamps.Format(archive.Options.TimeProvider.GetUtcNow())[..10]).Append('\n');
        info.Append("External-Description: An Amber archive's conversations, blobs and signed log; FORMAT.md explains every file.\n");
        info.Append("Amber-Bag-Format: ").Append(FormatName).Append('\n');
        info.Append("Amber-Archive-Id: ").Append(archive.ArchiveId).Append('\n');
        info.Append("Amber-Log-Origin: ").Append(log.Origin).Append('\n');
        info.Append(CultureInfo.InvariantCulture, $"Amber-Tree-Size: {toSize}\n");
        info.Append(CultureInfo.InvariantCulture, $"Amber-Since-Tree-Size: {fromSize}\n");
        info.Append("Amber-Since-Root: ").Append(Convert.ToBase64String(fromSize == 0 ? Transparency.Merkle.MerkleHash.EmptyRoot : log.Root(fromSize))).Append('\n');
        if (options.Tenant is { } t)
        {
            info.Append("Amber-Tenant: ").Append(t).Append('\n');
        }

        if (archive.Encryption.IsEncrypted)
        {
            // The bag holds the decrypted content and no key (encryption.md §14): say so where a reader of the bag looks first.
            info.Append("Amber-Source-Encryption: aes-256-gcm; this bag holds the content in the clear and no key\n");
        }

        info.Append("Payload-Oxum: ").Append(files.Oxum()).Append('\n');
        files.Finish(
        [
            ("bagit.txt", Encoding.UTF8.GetBytes("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")),
            ("bag-info.txt", Encoding.UTF8.GetBytes(info.ToString())),
            ("FORMAT.md", FormatDocument()),
        ]);
        return new BagExportResult
        {
            Directory = directory,
            FromSize = fromSize,
            ToSize = toSize,
            Commits = commits,
            Conversations = conversations.Count,
            Nodes = nodeCount,
            Blobs = distinctBlobs.Count,
            PayloadBytes = files.PayloadBytes,
            PayloadFiles = files.PayloadCount,
        };
    }

    /// <summary>The FORMAT.md every bag carries (an embedded copy of src/Amber.Storage/Export/FORMAT.md).</summary>
    public static byte[] FormatDocument()
    {
        using var stream = typeof(BagExport).Assembly.GetManifestResourceStream("Amber.Storage.Export.FORMAT.md")
            ?? throw new InvalidOperationException("FORMAT.md is not embedded in Amber.Storage.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static long Since(Archive archive, BagExportOptions options, long toSize)
    {
        var size = options.SinceSize ?? 0;
        if (options.SinceCheckpoint is { } note)
        {
            var opened = Checkpoint.Open(note, archive.Log.Verifier, archive.Log.Origin);
            if (!opened.IsValid)
            {
                throw new ArgumentException($"--since: not a checkpoint signed by this archive's log ({opened.Failure}).");
            }

            var old = opened.Checkpoint!;
            if (old.Size > toSize || !old.RootHash.Span.SequenceEqual(archive.Log.Root(old.Size)))
            {
                throw new ArgumentException($"--since: the checkpoint at size {old.Size} is not part of this log's history.");
            }

            size = old.Size;
        }

        if (size < 0 || size > toSize)
        {
            throw new ArgumentException($"--since: tree size {size} is outside this log (0..{toSize}).");
        }

        return size;
    }

    private static byte[] StoredNode(Archive archive, string id)
    {
        var node = archive.GetNode(id) ?? throw new CorruptArchiveException($"node {id} is a member of a commit but cannot be read; run `amber verify`.");
        var canonical = CanonicalNode.Of(node);
        return canonical.Id == id ? canonical.Bytes.ToArray() : throw new CorruptArchiveException($"node {id} reads back as {canonical.Id}; run `amber verify`.");
    }

    private static void AddReferenced(Archive archive, IEnumerable<ConversationOut> conversations, Dictionary<string, byte[]> models, List<string> blobIds)
    {
        foreach (var c in conversations)
        {
            blobIds.AddRange(c.Raw);
            foreach (var bytes in c.Nodes.Values)
            {
                var node = Node.FromCanonicalBytes(bytes);
                blobIds.AddRange(node.BlobReferences().Select(b => b.Blob));
                if (node.Generation is { } g)
                {
                    if (g.State is { } state)
                    {
                        blobIds.Add(state);
                    }

                    if (!models.ContainsKey(g.Model) && archive.GetModel(g.Model) is { } model)
                    {
                        models[g.Model] = CanonicalJson.Canonicalize(model.ToJson());
                    }
                }
            }
        }
    }

    private static byte[] Lines(IEnumerable<byte[]> records)
    {
        using var buffer = new MemoryStream();
        foreach (var r in records)
        {
            buffer.Write(r);
            buffer.WriteByte((byte)'\n');
        }

        return buffer.ToArray();
    }

    private static string Hex(string id) => id[ContentId.Prefix.Length..];

    /// <summary>One conversation file: a header line, then each node's canonical bytes, parents first.</summary>
    private sealed class ConversationOut(string id)
    {
        public string Id { get; } = id;

        public byte[] Record { get; set; } = [];

        public Dictionary<string, byte[]> Nodes { get; } = new(StringComparer.Ordinal);

        public List<string> Order { get; } = [];

        public HashSet<string> Raw { get; } = new(StringComparer.Ordinal);

        public void Add(string node, byte[] bytes)
        {
            if (Nodes.TryAdd(node, bytes))
            {
                Order.Add(node);
            }
        }

        public byte[] ToBytes()
        {
            var parents = new HashSet<string>(StringComparer.Ordinal);
            foreach (var bytes in Nodes.Values)
            {
                if (Node.FromCanonicalBytes(bytes).Parent is { } p)
                {
                    parents.Add(p);
                }
            }

            var header = new JsonObject
            {
                ["type"] = FormatName + "/conversation",
                ["id"] = Id,
                ["record"] = JsonNode.Parse(Record),
                ["node_count"] = Order.Count,
                ["instances"] = new JsonArray(Order.Where(n => !parents.Contains(n)).Select(n => (JsonNode)n).ToArray()),
                ["raw"] = new JsonArray(Raw.Order(StringComparer.Ordinal).Select(r => (JsonNode)r).ToArray()),
            };
            return Lines([CanonicalJson.Canonicalize(header), .. Order.Select(n => Nodes[n])]);
        }
    }
}

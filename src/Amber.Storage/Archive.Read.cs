using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Storage.Format;
using Amber.Storage.Index;
using Amber.Storage.Reading;
using Microsoft.Data.Sqlite;

namespace Amber.Storage;

public sealed partial class Archive
{
    private readonly Lock readLock = new();
    private readonly LinkedList<((uint, long) Key, byte[] Payload)> frameCache = new();
    private Compression? readCompression;

    /// <summary>Adds a conversation filter's conditions (model, source or format, tier, created range) to a list query.</summary>
    private static void AddFilter(Microsoft.Data.Sqlite.SqliteCommand cmd, List<string> where, ConversationFilter? filter)
    {
        if (filter?.Model is { } model)
        {
            where.Add("EXISTS (SELECT 1 FROM json_each(conversations.models) WHERE value = $model)");
            cmd.Parameters.AddWithValue("$model", model);
        }

        if (filter?.Source is { } source)
        {
            where.Add("(source = $source OR format = $source)");
            cmd.Parameters.AddWithValue("$source", source);
        }

        if (filter?.Tier is { } tier)
        {
            where.Add("tier = $tier");
            cmd.Parameters.AddWithValue("$tier", (long)tier);
        }

        if (filter?.From is { } from)
        {
            where.Add("created >= $from");
            cmd.Parameters.AddWithValue("$from", from);
        }

        if (filter?.To is { } to)
        {
            where.Add("created < $to");
            cmd.Parameters.AddWithValue("$to", to);
        }
    }

    /// <summary>Newest first. <paramref name="before"/> continues a listing after the last (created, id) seen. The same query as <see cref="PageConversations"/>.</summary>
    public IReadOnlyList<ConversationSummary> ListConversations(int limit = 50, ConversationFilter? filter = null, (string Created, string Id)? before = null)
        => PageConversations(limit, filter, before);

    private const string SummaryColumns = "id, source, format, source_id, title, nodes, instances, models, tier, created, updated, raw_bytes";

    private static List<ConversationSummary> ReadSummaries(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<ConversationSummary>();
        while (r.Read())
        {
            list.Add(ReadSummary(r));
        }

        return list;
    }

    /// <summary>The summary in the current row, whose first columns are <see cref="SummaryColumns"/>.</summary>
    private static ConversationSummary ReadSummary(SqliteDataReader r)
        => new(
            IndexIds.Read(r, 0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
            r.GetInt32(5), r.GetInt32(6), JsonSerializer.Deserialize<List<string>>(r.GetString(7)) ?? [],
            "T" + r.GetInt32(8), r.GetString(9), r.GetString(10), r.GetInt64(11));

    public ConversationSummary? GetSummary(string conversationId)
    {
        using var c = OpenIndexForRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {SummaryColumns} FROM conversations WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(conversationId));
        return ReadSummaries(cmd).FirstOrDefault();
    }

    /// <summary>Instances (root-to-leaf paths), newest conversations first.</summary>
    public IReadOnlyList<InstanceSummary> ListInstances(int limit = 50, string? conversationId = null)
    {
        using var c = OpenIndexForRead();
        return QueryInstances(c, limit, conversationId);
    }

    private static List<InstanceSummary> QueryInstances(SqliteConnection c, int limit, string? conversationId)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT n.id, c.id, c.title, i.depth, i.tier, COALESCE(n.created, c.created)
            FROM instances i JOIN conversations c ON c.k = i.conversation JOIN nodes n ON n.k = i.leaf
            {(conversationId is null ? "" : "WHERE i.conversation = (SELECT k FROM conversations WHERE id = $conv)")}
            ORDER BY c.created DESC, c.k DESC, n.created, n.id LIMIT $n
            """;
        if (conversationId is not null)
        {
            cmd.Parameters.AddWithValue("$conv", IndexIds.ToKey(conversationId));
        }

        cmd.Parameters.AddWithValue("$n", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<InstanceSummary>();
        while (r.Read())
        {
            list.Add(new InstanceSummary(IndexIds.Read(r, 0), IndexIds.Read(r, 1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3), "T" + r.GetInt32(4), r.GetString(5)));
        }

        return list;
    }

    /// <summary>Resolves a full id or a unique prefix (with or without "sha256:") to a conversation or a node.</summary>
    public ResolvedId Resolve(string idOrPrefix)
    {
        var q = idOrPrefix.Trim();
        if (!q.StartsWith(ContentId.Prefix, StringComparison.Ordinal))
        {
            q = ContentId.Prefix + q;
        }

        if (q.Length < ContentId.Prefix.Length + 4)
        {
            return new ResolvedId(ResolvedKind.None, idOrPrefix, "give at least 4 hex digits of the id");
        }

        using var c = OpenIndexForRead();
        if (FindKey(c, idOrPrefix.Trim()) is { } keyed)
        {
            return new ResolvedId(ResolvedKind.Node, keyed, null);
        }

        var matches = new List<(ResolvedKind, string)>();
        var range = IndexIds.PrefixRange(q[ContentId.Prefix.Length..]);
        foreach (var (kind, table) in range is null ? [] : new[] { (ResolvedKind.Conversation, "conversations"), (ResolvedKind.Node, "nodes") })
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT id FROM {table} WHERE {IndexIds.IdBetween(table, "$lo", "$hi")} LIMIT 2";
            cmd.Parameters.AddWithValue("$lo", range!.Value.Lo);
            cmd.Parameters.AddWithValue("$hi", range.Value.Hi);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                matches.Add((kind, IndexIds.Read(r, 0)));
            }
        }

        return matches.Count switch
        {
            0 => new ResolvedId(ResolvedKind.None, idOrPrefix, "no conversation or node has this id"),
            1 => new ResolvedId(matches[0].Item1, matches[0].Item2, null),
            _ => new ResolvedId(ResolvedKind.None, idOrPrefix, "the prefix is ambiguous; give more digits"),
        };
    }

    /// <summary>The node recorded under <paramref name="key"/> (a string in a node's <c>meta.keys</c>), or null.</summary>
    /// <remarks>
    /// Like <see cref="GetNode"/>, <see cref="GetConversationRecord"/> and <see cref="ConversationsOf"/> (the lookups a
    /// recorder makes before each commit), this does not wait for the indexer: it reads the acknowledged commits the
    /// indexer has not reached first, then the index, which together hold every acknowledged commit (UnindexedCommits).
    /// Keys are first-come, and whatever the index holds came first.
    /// </remarks>
    public string? FindNodeByKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pending = Unindexed.Key(key);
        using var c = index.OpenRead();
        return FindKey(c, key) ?? pending;
    }

    private static string? FindKey(Microsoft.Data.Sqlite.SqliteConnection c, string key)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT n.id FROM node_keys nk JOIN nodes n ON n.k = nk.node WHERE nk.key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() is byte[] id ? IndexIds.FromKey(id) : null;
    }

    /// <summary>A conversation's stored record (the newest one written), without loading its tree. Does not wait for the indexer (see <see cref="FindNodeByKey"/>).</summary>
    public ConversationRecord? GetConversationRecord(string conversationId)
    {
        if (Unindexed.Record(conversationId) is { } pending)
        {
            return ConversationRecord.FromJson((System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(pending)!);
        }

        using var c = index.OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT segment, offset, entry_offset, entry_length FROM conversations WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(conversationId));
        using var r = cmd.ExecuteReader();
        return r.Read() ? RecordAt(r, 0) : null;
    }

    /// <summary>The annotations about a node or conversation, oldest first.</summary>
    public IReadOnlyList<Annotation> GetAnnotations(string targetId)
    {
        using var c = OpenIndexForRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT record FROM annotations WHERE target = $t ORDER BY created, seq, id";
        cmd.Parameters.AddWithValue("$t", IndexIds.ToKey(targetId));
        using var r = cmd.ExecuteReader();
        var list = new List<Annotation>();
        while (r.Read())
        {
            list.Add(Annotation.FromJson((System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(r.GetString(0))!));
        }

        return list;
    }

    /// <summary>
    /// The annotations of <paramref name="kind"/> as the signed log proves them, not as the index says: for decisions
    /// such as the do-not-revive gate. Throws <see cref="CorruptArchiveException"/> when the index disagrees with the log.
    /// </summary>
    public IReadOnlyList<Annotation> GetLoggedAnnotations(string kind) => LoggedAnnotations.OfKind(kind);

    /// <summary>Which of <paramref name="candidates"/> hold <paramref name="nodeId"/>, as commits that the signed log proves say.</summary>
    public IReadOnlySet<string> LoggedConversationsHolding(string nodeId, IReadOnlyCollection<string> candidates) => LoggedAnnotations.ConversationsHolding(nodeId, candidates);

    /// <summary>The conversations a node belongs to, in id order. Does not wait for the indexer (see <see cref="FindNodeByKey"/>).</summary>
    public IReadOnlyList<string> ConversationsOf(string nodeId)
    {
        var found = new SortedSet<string>(Unindexed.ConversationsOf(nodeId), StringComparer.Ordinal);
        using var c = index.OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT c.id FROM conversation_nodes cn JOIN conversations c ON c.k = cn.conversation WHERE cn.node = (SELECT k FROM nodes WHERE " + IndexIds.IdIs("nodes", "$n") + ")";
        cmd.Parameters.AddWithValue("$n", IndexIds.ToKey(nodeId));
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            found.Add(IndexIds.Read(r, 0));
        }

        return [.. found];
    }

    /// <summary>
    /// The whole conversation: summary, record, every node as a tree, instances, raw blob ids and the model
    /// references its nodes name. One connection and one read transaction, so every part comes from the same
    /// state of the index; each commit frame is fetched once for all the nodes it holds.
    /// </summary>
    public ConversationView? GetConversation(string conversationId)
    {
        using var c = OpenIndexForRead();
        using var tx = c.BeginTransaction(deferred: true);
        ConversationSummary summary;
        ConversationRecord record;
        long key;
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = $"SELECT {SummaryColumns}, segment, offset, entry_offset, entry_length, k FROM conversations WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(conversationId));
            using var r = cmd.ExecuteReader();
            if (!r.Read())
            {
                return null;
            }

            summary = ReadSummary(r);
            record = RecordAt(r, 12);
            key = r.GetInt64(16);
        }

        var locations = NodeLocations.Query(c, key, summary.Nodes);
        var nodes = new List<KeyValuePair<string, Node>>(locations.Count);
        byte[]? payload = null;
        (uint, long) frame = default;
        foreach (var n in locations)
        {
            if (payload is null || frame != (n.Segment, n.Offset))
            {
                frame = (n.Segment, n.Offset);
                payload = ReadCommitPayload(n.Segment, n.Offset);
            }

            nodes.Add(new(n.Id, Node.FromStoredBytes(EntryOf(payload, n.Segment, n.Offset, n.EntryOffset, n.EntryLength).Span)));
        }

        var raw = new List<string>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT b.id FROM conversation_raw cr JOIN blobs b ON b.k = cr.blob WHERE cr.conversation = $k ORDER BY cr.seq, b.id";
            cmd.Parameters.AddWithValue("$k", key);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                raw.Add(IndexIds.Read(r, 0));
            }
        }

        var models = new Dictionary<string, ModelReference>(StringComparer.Ordinal);
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT record FROM models WHERE id = $id";
            var id = cmd.Parameters.Add("$id", SqliteType.Blob);
            foreach (var m in nodes.Select(n => n.Value.Generation?.Model).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                id.Value = IndexIds.ToKey(m);
                if (cmd.ExecuteScalar() is string json)
                {
                    models[m] = ModelReference.FromJson((JsonObject)JsonNode.Parse(json)!);
                }
            }
        }

        var instances = QueryInstances(c, int.MaxValue, conversationId);
        tx.Commit();
        return new ConversationView(summary, record, new ConversationTree(nodes), instances, raw, models);
    }

    /// <summary>
    /// The receipt for an instance (its leaf node) or a conversation: the inclusion proof of the log entry that
    /// added the leaf to its conversation (for a conversation, of its latest commit), against the latest checkpoint.
    /// </summary>
    public Amber.Transparency.Receipts.TlogProof GetReceipt(string id)
    {
        RefreshLog();
        var resolved = Resolve(id);
        using var c = OpenIndexForRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = resolved.Kind switch
        {
            ResolvedKind.Node => "SELECT MIN(seq) FROM conversation_nodes WHERE node = (SELECT k FROM nodes WHERE " + IndexIds.IdIs("nodes", "$id") + ")",
            ResolvedKind.Conversation => "SELECT last_seq FROM conversations WHERE id = $id",
            _ => throw new InvalidOperationException($"{id}: {resolved.Problem}."),
        };
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(resolved.Id));
        if (cmd.ExecuteScalar() is not long seq)
        {
            throw new InvalidOperationException($"{id}: no commit names it.");
        }

        var entry = Amber.Storage.Log.LogEntries.Read(this, c, seq) ?? throw new InvalidOperationException($"{id}: commit {seq} is not indexed.");
        if (!IsReadOnly && Log.LatestCheckpointSize < seq)
        {
            EnsureCheckpointAsync().GetAwaiter().GetResult(); // the writer signs lazily; a receipt needs one now
        }

        return Log.Prove(seq - 1, entry);
    }

    /// <summary>The log entry (commit info bytes) at a 0-based index, or null.</summary>
    public byte[]? GetLogEntry(long index)
    {
        using var c = index is < 0 ? null : this.OpenIndexForRead();
        if (c is null)
        {
            return null;
        }

        return Amber.Storage.Log.LogEntries.Read(this, c, index + 1);
    }

    /// <summary>True if the archive holds a node with this id.</summary>
    public bool ContainsNode(string nodeId) => ExistsIn("nodes", nodeId);

    public bool ContainsBlob(string blobId) => ExistsIn("blobs", blobId);

    public bool ContainsConversation(string conversationId) => ExistsIn("conversations", conversationId);

    public bool ContainsModel(string modelId) => ExistsIn("models", modelId);

    private bool ExistsIn(string table, string id)
    {
        using var c = OpenIndexForRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT 1 FROM {table} WHERE {IndexIds.IdIs(table, "$id")}";
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(id));
        return cmd.ExecuteScalar() is not null;
    }

    /// <summary>One stored node. Does not wait for the indexer (see <see cref="FindNodeByKey"/>).</summary>
    public Node? GetNode(string nodeId)
    {
        if (Unindexed.Node(nodeId) is { } pending)
        {
            return Node.FromStoredBytes(pending);
        }

        using var c = index.OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT segment, offset, entry_offset, entry_length FROM nodes WHERE " + IndexIds.IdIs("nodes", "$id");
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(nodeId));
        using var r = cmd.ExecuteReader();
        return r.Read() ? Node.FromStoredBytes(ReadEntry((uint)r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetInt32(3)).Span) : null;
    }

    public ModelReference? GetModel(string modelId)
    {
        using var c = OpenIndexForRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT record FROM models WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(modelId));
        return cmd.ExecuteScalar() is string s ? ModelReference.FromJson((JsonObject)JsonNode.Parse(s)!) : null;
    }

    /// <summary>Reads a blob's bytes back and checks them against their id.</summary>
    public byte[]? GetBlob(string blobId)
    {
        using var c = OpenIndexForRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT external, segment, offset, entry_offset, entry_length FROM blobs WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(blobId));
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        byte[] bytes;
        if (r.GetInt64(0) == 1)
        {
            var path = paths.BlobFile(HexOf(blobId));
            try
            {
                using var d = new ZstdSharp.Decompressor();
                bytes = d.Unwrap(ReadAll(path)).ToArray();
            }
            catch (Exception e) when (e is ZstdSharp.ZstdException or FileNotFoundException)
            {
                throw new CorruptArchiveException($"blob {blobId}: {path} cannot be read back: {e.Message}", e);
            }
        }
        else
        {
            bytes = ReadEntry((uint)r.GetInt64(1), r.GetInt64(2), r.GetInt32(3), r.GetInt32(4)).ToArray();
        }

        if (ContentId.Of(bytes) != blobId)
        {
            throw new CorruptArchiveException($"blob {blobId}: its bytes no longer match their hash.");
        }

        return bytes;
    }

    public ArchiveStats GetStats()
    {
        using var c = OpenIndexForRead();
        long Scalar(string sql)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            return cmd.ExecuteScalar() is long l ? l : 0;
        }

        Dictionary<string, long> Grouped(string sql)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            using var r = cmd.ExecuteReader();
            var d = new Dictionary<string, long>(StringComparer.Ordinal);
            while (r.Read())
            {
                d[r.GetString(0)] = r.GetInt64(1);
            }

            return d;
        }

        long segmentBytes = 0;
        var numbers = SegmentNumbers();
        foreach (var n in numbers)
        {
            using var f = fs.OpenRead(paths.Segment(n));
            segmentBytes += f.Length;
        }

        long externalBytes = 0;
        foreach (var dir in fs.ListDirectories(paths.Blobs))
        {
            foreach (var file in fs.ListFiles(Path.Combine(paths.Blobs, dir)))
            {
                using var f = fs.OpenRead(Path.Combine(paths.Blobs, dir, file));
                externalBytes += f.Length;
            }
        }

        var indexBytes = new[] { index.Path, index.Path + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);
        return new ArchiveStats(
            Scalar("SELECT COUNT(*) FROM conversations"),
            Scalar("SELECT COUNT(*) FROM instances"),
            Scalar("SELECT COUNT(*) FROM nodes"),
            Scalar("SELECT COUNT(*) FROM commits"),
            Scalar("SELECT COUNT(*) FROM blobs"),
            Scalar("SELECT COALESCE(SUM(b.size), 0) FROM blobs b WHERE b.k IN (SELECT blob FROM conversation_raw)"),
            segmentBytes + externalBytes,
            segmentBytes,
            externalBytes,
            indexBytes,
            numbers.Count,
            (int)Scalar("SELECT COUNT(*) FROM dictionaries"),
            Grouped("SELECT 'T' || tier, COUNT(*) FROM instances GROUP BY tier ORDER BY tier"),
            Grouped("SELECT 'T' || tier, COUNT(*) FROM conversations GROUP BY tier ORDER BY tier"),
            Grouped("SELECT m.name, COUNT(*) FROM nodes n JOIN models m ON m.k = n.model GROUP BY m.name ORDER BY COUNT(*) DESC, m.name"))
        {
            IndexLag = GetIndexLag(),
        };
    }

    /// <summary>The conversation record whose location (segment, offset, entry offset, entry length) starts at column <paramref name="first"/>: the index keeps where it is, not a copy.</summary>
    private ConversationRecord RecordAt(SqliteDataReader r, int first)
        => ConversationRecord.FromJson((JsonObject)JsonNode.Parse(ReadEntry((uint)r.GetInt64(first), r.GetInt64(first + 1), r.GetInt32(first + 2), r.GetInt32(first + 3)).Span)!);

    /// <summary>Reads one entry's body from a commit frame, decoding the frame once (a few are cached).</summary>
    internal ReadOnlyMemory<byte> ReadEntry(uint segment, long offset, int entryOffset, int entryLength)
        => EntryOf(ReadCommitPayload(segment, offset), segment, offset, entryOffset, entryLength);

    private static ReadOnlyMemory<byte> EntryOf(byte[] payload, uint segment, long offset, int entryOffset, int entryLength)
    {
        if (entryOffset < 0 || entryLength < 0 || entryOffset > payload.Length - entryLength)
        {
            throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: the index points past the end of the commit.");
        }

        return payload.AsMemory(entryOffset, entryLength);
    }

    internal byte[] ReadCommitPayload(uint segment, long offset)
    {
        lock (readLock)
        {
            for (var n = frameCache.First; n is not null; n = n.Next)
            {
                if (n.Value.Key == (segment, offset))
                {
                    frameCache.Remove(n);
                    frameCache.AddFirst(n);
                    return n.Value.Payload;
                }
            }

            var frame = ReadFrameBytes(segment, offset);
            var header = RecordFrame.ReadHeader(frame);
            if (readCompression is null || (header.NeedsDictionary && !readCompression.HasDictionary(header.DictionaryId)))
            {
                if (IsReadOnly && header.NeedsDictionary && !SnapshotDictionaries().ContainsKey(header.DictionaryId))
                {
                    LoadDictionaries(); // trained by the writer process after this one opened
                }

                readCompression?.Dispose();
                readCompression = new Compression(SnapshotDictionaries());
            }

            byte[] payload;
            try
            {
                payload = readCompression.Decode(header, RecordFrame.Payload(frame));
            }
            catch (FormatException e)
            {
                throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: {e.Message}", e);
            }

            frameCache.AddFirst(((segment, offset), payload));
            if (frameCache.Count > 16)
            {
                frameCache.RemoveLast();
            }

            return payload;
        }
    }
}

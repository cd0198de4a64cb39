using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Reading;
using Amber.Storage.Segments;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Catalogue;

/// <summary>Queries by id: resolving ids and keys, nodes, blobs, models, annotations, log entries.</summary>
internal sealed class ContentQueries(ArchiveCatalogue catalogue, SegmentStore segments)
{
    /// <summary>Where the commits after log size <paramref name="fromSize"/> up to <paramref name="toSize"/> sit, in log order (those the index lists; callers check for gaps).</summary>
    public List<(long Seq, uint Segment, long Offset)> CommitLocations(long fromSize, long toSize)
    {
        var located = new List<(long Seq, uint Segment, long Offset)>();
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT seq, segment, offset FROM commits WHERE seq > $from AND seq <= $to ORDER BY seq";
        cmd.Parameters.AddWithValue("$from", fromSize);
        cmd.Parameters.AddWithValue("$to", toSize);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            located.Add((r.GetInt64(0), (uint)r.GetInt64(1), r.GetInt64(2)));
        }

        return located;
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

        using var c = catalogue.OpenAcknowledged();
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
    /// Like <see cref="GetNode"/>, <see cref="ConversationQueries.GetConversationRecord"/> and <see cref="ConversationQueries.ConversationsOf"/> (the lookups a
    /// recorder makes before each commit), this does not wait for the indexer: it reads the acknowledged commits the
    /// indexer has not reached first, then the index, which together hold every acknowledged commit (UnindexedCommits).
    /// Keys are first-come, and whatever the index holds came first.
    /// </remarks>
    public string? FindNodeByKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pending = catalogue.Unindexed.Key(key);
        using var c = catalogue.OpenIndexed();
        return FindKey(c, key) ?? pending;
    }

    private static string? FindKey(SqliteConnection c, string key)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT n.id FROM node_keys nk JOIN nodes n ON n.k = nk.node WHERE nk.key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() is byte[] id ? IndexIds.FromKey(id) : null;
    }

    /// <summary>The annotations about a node or conversation, oldest first.</summary>
    public IReadOnlyList<Annotation> GetAnnotations(string targetId)
    {
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT record FROM annotations WHERE target = $t ORDER BY created, seq, id";
        cmd.Parameters.AddWithValue("$t", IndexIds.ToKey(targetId));
        using var r = cmd.ExecuteReader();
        var list = new List<Annotation>();
        while (r.Read())
        {
            list.Add(Annotation.FromJson((JsonObject)JsonNode.Parse(r.GetString(0))!));
        }

        return list;
    }

    /// <summary>True if the archive holds a node with this id.</summary>
    public bool ContainsNode(string nodeId) => ExistsIn("nodes", nodeId);

    public bool ContainsBlob(string blobId) => ExistsIn("blobs", blobId);

    public bool ContainsConversation(string conversationId) => ExistsIn("conversations", conversationId);

    public bool ContainsModel(string modelId) => ExistsIn("models", modelId);

    private bool ExistsIn(string table, string id)
    {
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT 1 FROM {table} WHERE {IndexIds.IdIs(table, "$id")}";
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(id));
        return cmd.ExecuteScalar() is not null;
    }

    /// <summary>One stored node. Does not wait for the indexer: it takes the indexed view (see <see cref="FindNodeByKey"/>).</summary>
    public Node? GetNode(string nodeId)
    {
        if (catalogue.Unindexed.Node(nodeId) is { } pending)
        {
            return Node.FromStoredBytes(pending);
        }

        using var c = catalogue.OpenIndexed();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT segment, offset, entry_offset, entry_length FROM nodes WHERE " + IndexIds.IdIs("nodes", "$id");
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(nodeId));
        using var r = cmd.ExecuteReader();
        return r.Read() ? Node.FromStoredBytes(segments.ReadEntry((uint)r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetInt32(3)).Span) : null;
    }

    public ModelReference? GetModel(string modelId)
    {
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT record FROM models WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(modelId));
        return cmd.ExecuteScalar() is string s ? ModelReference.FromJson((JsonObject)JsonNode.Parse(s)!) : null;
    }

    /// <summary>Reads a blob's bytes back and checks them against their id.</summary>
    public byte[]? GetBlob(string blobId)
    {
        using var c = catalogue.OpenAcknowledged();
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
            bytes = segments.ReadExternalBlob(blobId);
        }

        else
        {
            bytes = segments.ReadEntry((uint)r.GetInt64(1), r.GetInt64(2), r.GetInt32(3), r.GetInt32(4)).ToArray();
        }

        if (ContentId.Of(bytes) != blobId)
        {
            throw new CorruptArchiveException($"blob {blobId}: its bytes no longer match their hash.");
        }

        return bytes;
    }

    /// <summary>The log entry (commit info bytes) at a 0-based index, or null.</summary>
    public byte[]? GetLogEntry(long index)
    {
        using var c = index is < 0 ? null : catalogue.OpenAcknowledged();
        if (c is null)
        {
            return null;
        }

        return Amber.Storage.Log.LogEntries.Read(segments, c, index + 1);
    }

    /// <summary>
    /// The log entry that a receipt for <paramref name="resolved"/> proves: for a node, the commit that first added it
    /// to a conversation; for a conversation, its latest commit. Its 1-based sequence number and info bytes.
    /// </summary>
    public (long Sequence, byte[] Entry) ReceiptEntry(string id, ResolvedId resolved)
    {
        using var c = catalogue.OpenAcknowledged();
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

        return (seq, Amber.Storage.Log.LogEntries.Read(segments, c, seq) ?? throw new InvalidOperationException($"{id}: commit {seq} is not indexed."));
    }
}

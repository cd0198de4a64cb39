using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Core.Time;
using Amber.Storage.Format;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>How a durable commit frame becomes rows: the one rule, for fresh commits, catch-up, rebuilds and verify's scratch copy.</summary>
internal sealed partial class ArchiveIndex
{
    /// <summary>Indexes one durable commit frame. The same code serves fresh commits, catch-up and rebuilds.</summary>
    public void Apply(SqliteTransaction tx, IndexedCommit commit)
    {
        var info = commit.Info;
        var seq = (long)info["seq"]!;
        var time = info["time"]!.GetValue<string>();
        Run(tx, "INSERT INTO commits(seq, segment, offset, length, time, leaf_hash) VALUES($seq, $s, $o, $l, $t, $h)",
            ("$seq", seq), ("$s", (long)commit.Segment), ("$o", commit.Offset), ("$l", commit.FrameLength), ("$t", time),
            ("$h", Amber.Transparency.Merkle.MerkleHash.HashLeaf(commit.Entries[0].Body.Span)));

        var modelsInCommit = new Dictionary<string, ModelReference>(StringComparer.Ordinal);
        foreach (var e in commit.Entries)
        {
            switch (e.Type)
            {
                case EntryType.Model:
                    {
                        var json = (JsonObject)JsonNode.Parse(e.Body.Span)!;
                        var model = ModelReference.FromJson(json);
                        var id = ContentId.Of(e.Body.Span);
                        modelsInCommit[id] = model;
                        Run(tx, "INSERT OR IGNORE INTO models(id, record, name) VALUES($id, $r, $n)",
                            ("$id", IndexIds.ToKey(id)), ("$r", json.ToJsonString()), ("$n", model.DisplayName));
                        break;
                    }

                case EntryType.Blob:
                    Run(tx, "INSERT OR IGNORE INTO blobs(id, size, external, seq, segment, offset, entry_offset, entry_length) VALUES($id, $z, 0, $seq, $s, $o, $eo, $el)",
                        ("$id", e.Body.Span[..32].ToArray()), ("$z", (long)(e.Body.Length - 32)), ("$seq", seq), ("$s", (long)commit.Segment),
                        ("$o", commit.Offset), ("$eo", (long)e.EntryOffset + 32), ("$el", (long)(e.Body.Length - 32)));
                    break;
                case EntryType.ExternalBlob:
                    Run(tx, "INSERT OR IGNORE INTO blobs(id, size, external, seq, segment, offset, entry_offset, entry_length) VALUES($id, $z, 1, $seq, $s, $o, $eo, 0)",
                        ("$id", e.Body.Span[..32].ToArray()), ("$z", System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(e.Body.Span[32..])),
                        ("$seq", seq), ("$s", (long)commit.Segment), ("$o", commit.Offset), ("$eo", (long)e.EntryOffset));
                    break;
            }
        }

        // A parent named before it is indexed (later in the same commit) is linked once the commit's nodes are all in.
        var unlinked = new List<(long Key, byte[] Parent)>();
        foreach (var e in commit.Entries)
        {
            if (e.Type != EntryType.Node)
            {
                continue;
            }

            var id = IndexIds.ToKey(ContentId.Of(e.Body.Span));
            if (KeyOf(tx, "nodes", id) is not null)
            {
                continue; // content-addressed: stored once, under its first location
            }

            var node = Node.FromStoredBytes(e.Body.Span);
            var model = node.Generation is { } g ? (modelsInCommit.GetValueOrDefault(g.Model) ?? LoadModel(tx, g.Model)) : null;
            var tier = TierGrader.Grade(node, model);
            var parent = node.Parent is { } p ? IndexIds.ToKey(p) : null;
            var parentKey = parent is null ? null : KeyOf(tx, "nodes", parent);
            Run(tx, """
                INSERT INTO nodes(id, parent, created, model, tier, segment, offset, entry_offset, entry_length)
                VALUES($id, $p, $c, (SELECT k FROM models WHERE id = $m), $t, $s, $o, $eo, $el)
                """,
                ("$id", id), ("$p", parentKey), ("$c", node.Created), ("$m", node.Generation is { } gen ? IndexIds.ToKey(gen.Model) : null),
                ("$t", (long)tier), ("$s", (long)commit.Segment), ("$o", commit.Offset), ("$eo", (long)e.EntryOffset), ("$el", (long)e.Body.Length));
            var key = LastKey(tx);
            if (parent is not null && parentKey is null)
            {
                unlinked.Add((key, parent));
            }

            if (node.Meta?["keys"] is JsonArray keys)
            {
                foreach (var k in keys)
                {
                    if (k is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        Run(tx, "INSERT OR IGNORE INTO node_keys(key, node) VALUES($k, $n)", ("$k", s), ("$n", key));
                    }
                }
            }

            var text = node.SearchText;
            if (text.Length > 0)
            {
                Run(tx, "INSERT INTO node_text(rowid, text) VALUES($n, $t)", ("$n", key), ("$t", text));
            }
        }

        foreach (var (key, parent) in unlinked)
        {
            Run(tx, "UPDATE nodes SET parent = (SELECT k FROM nodes WHERE " + IndexIds.IdIs("nodes", "$p") + ") WHERE k = $n", ("$p", parent), ("$n", key));
        }

        foreach (var e in commit.Entries)
        {
            if (e.Type == EntryType.Annotation)
            {
                var json = (JsonObject)JsonNode.Parse(e.Body.Span)!;
                var a = Annotation.FromJson(json);
                Run(tx, "INSERT OR IGNORE INTO annotations(id, target, kind, created, record, seq) VALUES($id, $t, $k, $c, $r, $seq)",
                    ("$id", IndexIds.ToKey(ContentId.Of(e.Body.Span))), ("$t", IndexIds.ToKey(a.Target)), ("$k", a.Kind), ("$c", a.Created),
                    ("$r", System.Text.Encoding.UTF8.GetString(e.Body.Span)), ("$seq", seq));
            }
        }

        var recordsById = new Dictionary<string, (ConversationRecord Record, IndexedEntry Entry)>(StringComparer.Ordinal);
        foreach (var e in commit.Entries)
        {
            if (e.Type == EntryType.Conversation)
            {
                var rec = ConversationRecord.FromJson((JsonObject)JsonNode.Parse(e.Body.Span)!);
                recordsById[rec.Id] = (rec, e);
            }
        }

        var membership = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        foreach (var e in commit.Entries)
        {
            if (e.Type == EntryType.Membership)
            {
                var m = (JsonObject)JsonNode.Parse(e.Body.Span)!;
                membership[m["conversation"]!.GetValue<string>()] = m["nodes"]!.AsArray();
            }
        }

        foreach (var c in info["conversations"]!.AsArray())
        {
            var cid = c!["id"]!.GetValue<string>();
            var cidKey = IndexIds.ToKey(cid);
            if (recordsById.TryGetValue(cid, out var found))
            {
                // The record itself stays in the segments: the row keeps where the newest one is. `updated` is the
                // source's own update time when the record states one, else the commit's, and never moves back, except
                // that a stated time replaces the commit time an earlier record without one left (the row's updated
                // equal to its last commit's time): a conversation imported before source times were kept shows the
                // source's time once re-imported, not the first import's.
                var rec = found.Record;
                Run(tx, """
                    INSERT INTO conversations(id, format, source, source_id, title, created, updated, last_seq, segment, offset, entry_offset, entry_length)
                    VALUES($id, $f, $s, $sid, $t, $c, $u, $seq, $sg, $o, $eo, $el)
                    ON CONFLICT(id) DO UPDATE SET title = COALESCE(excluded.title, title),
                        updated = CASE WHEN $stated AND updated = (SELECT time FROM commits WHERE seq = conversations.last_seq) THEN excluded.updated ELSE MAX(updated, excluded.updated) END,
                        last_seq = excluded.last_seq,
                        segment = excluded.segment, offset = excluded.offset, entry_offset = excluded.entry_offset, entry_length = excluded.entry_length
                    """,
                    ("$id", cidKey), ("$f", rec.Format), ("$s", rec.Source), ("$sid", rec.SourceId), ("$t", rec.Title),
                    ("$c", rec.Created ?? time), ("$u", UpdatedOf(rec, time)), ("$stated", Timestamps.TryParse(rec.Updated, out _)), ("$seq", seq), ("$sg", (long)commit.Segment), ("$o", commit.Offset),
                    ("$eo", (long)found.Entry.EntryOffset), ("$el", (long)found.Entry.Body.Length));
            }

            if (KeyOf(tx, "conversations", cidKey) is not { } conversation)
            {
                continue;
            }

            foreach (var n in membership.GetValueOrDefault(cid) ?? [])
            {
                Run(tx, "INSERT OR IGNORE INTO conversation_nodes(conversation, node, seq) SELECT $c, k, $seq FROM nodes WHERE " + IndexIds.IdIs("nodes", "$n"),
                    ("$c", conversation), ("$n", IndexIds.ToKey(n!.GetValue<string>())), ("$seq", seq));
            }

            foreach (var r in c["raw"]?.AsArray() ?? [])
            {
                Run(tx, "INSERT OR IGNORE INTO conversation_raw(conversation, blob, seq) SELECT $c, k, $seq FROM blobs WHERE id = $b",
                    ("$c", conversation), ("$b", IndexIds.ToKey(r!.GetValue<string>())), ("$seq", seq));
            }

            RefreshConversation(tx, conversation);
        }
    }

    /// <summary>The key of the row of <paramref name="table"/> whose id is <paramref name="digest"/>, or null.</summary>
    private long? KeyOf(SqliteTransaction tx, string table, byte[] digest)
        => Scalar(tx, $"SELECT k FROM {table} WHERE {IndexIds.IdIs(table, "$id")}", ("$id", digest)) is long k ? k : null;

    private long LastKey(SqliteTransaction tx) => (long)Scalar(tx, "SELECT last_insert_rowid()")!;

    private ModelReference? LoadModel(SqliteTransaction tx, string id)
    {
        // Model references are content-addressed, so one read once is as good as any later read.
        if (models.TryGetValue(id, out var known))
        {
            return known;
        }

        var model = Scalar(tx, "SELECT record FROM models WHERE id = $id", ("$id", IndexIds.ToKey(id))) is string s
            ? ModelReference.FromJson((JsonObject)JsonNode.Parse(s)!)
            : null;
        if (model is not null)
        {
            models[id] = model;
        }

        return model;
    }

    /// <summary>Recomputes a conversation's counts, instances, tier and models from its nodes.</summary>
    private void RefreshConversation(SqliteTransaction tx, long conversation)
    {
        var rows = new Dictionary<long, (long? Parent, int Tier, bool Generated)>();
        using (var cmd = Writer.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT n.k, n.parent, n.tier, n.model IS NOT NULL FROM conversation_nodes cn JOIN nodes n ON n.k = cn.node WHERE cn.conversation = $c";
            cmd.Parameters.AddWithValue("$c", conversation);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows[r.GetInt64(0)] = (r.IsDBNull(1) ? null : r.GetInt64(1), r.GetInt32(2), r.GetInt64(3) != 0);
            }
        }

        var hasChild = new HashSet<long>();
        foreach (var (_, v) in rows)
        {
            if (v.Parent is { } p && rows.ContainsKey(p))
            {
                hasChild.Add(p);
            }
        }

        Run(tx, "DELETE FROM instances WHERE conversation = $c", ("$c", conversation));
        var worstOverall = 1;
        var instances = 0;
        foreach (var (id, _) in rows)
        {
            if (hasChild.Contains(id))
            {
                continue;
            }

            // Walk to the root; the instance is as good as its weakest generated turn (as TierGrader.GradePath).
            // Exact turns before the leaf (T1/T2) do not lower it; T1 needs the state saved at the leaf's own turn.
            var worst = 0;
            var depth = 0;
            long? cur = id;
            var seen = new HashSet<long>();
            var leafTier = rows[id].Generated ? rows[id].Tier : 0;
            while (cur is { } at && rows.TryGetValue(at, out var v) && seen.Add(at))
            {
                if (v.Generated)
                {
                    worst = Math.Max(worst, at != id && v.Tier <= 2 ? 1 : v.Tier);
                }

                depth++;
                cur = v.Parent;
            }

            if (worst == 0)
            {
                worst = 4;
            }
            else if (worst == 1 && leafTier != 1)
            {
                worst = 2;
            }

            worstOverall = Math.Max(worstOverall, worst);
            instances++;
            Run(tx, "INSERT INTO instances(conversation, leaf, depth, tier) VALUES($c, $l, $d, $t)", ("$c", conversation), ("$l", id), ("$d", (long)depth), ("$t", (long)worst));
        }

        Run(tx, """
            UPDATE conversations SET nodes = $n, instances = $i, tier = $t,
                models = COALESCE((SELECT json_group_array(name) FROM (SELECT DISTINCT m.name AS name FROM conversation_nodes cn
                    JOIN nodes n ON n.k = cn.node JOIN models m ON m.k = n.model WHERE cn.conversation = $c ORDER BY m.name)), '[]'),
                raw_bytes = COALESCE((SELECT SUM(b.size) FROM conversation_raw cr JOIN blobs b ON b.k = cr.blob WHERE cr.conversation = $c), 0)
            WHERE k = $c
            """,
            ("$n", (long)rows.Count), ("$i", (long)instances), ("$t", (long)(rows.Count == 0 ? 4 : worstOverall)), ("$c", conversation));
    }

    /// <summary>
    /// A conversation row's <c>updated</c> for a commit carrying its record: the record's own <c>updated</c> (the source's
    /// update time) when it states one, else the commit's time. Written in the commit time's fixed form (7 fractional
    /// digits, UTC) so that the text order is the time order and <c>MAX</c> keeps the latest.
    /// </summary>
    private static string UpdatedOf(ConversationRecord record, string commitTime)
        => Timestamps.TryParse(record.Updated, out var t) ? Timestamps.FormatCommitTime(t) : commitTime;

    /// <summary>
    /// Runs a write statement. Each distinct statement is prepared once with its parameters and reused (the writer
    /// is single-threaded); later calls only set the values.
    /// </summary>
    private void Run(SqliteTransaction tx, string sql, params (string Name, object? Value)[] args) => Prepared(tx, sql, args).ExecuteNonQuery();

    private object? Scalar(SqliteTransaction tx, string sql, params (string Name, object? Value)[] args) => Prepared(tx, sql, args).ExecuteScalar();

    private SqliteCommand Prepared(SqliteTransaction tx, string sql, (string Name, object? Value)[] args)
    {
        if (!statements.TryGetValue(sql, out var cmd))
        {
            cmd = Writer.CreateCommand();
            cmd.CommandText = sql;
            foreach (var (name, _) in args)
            {
                cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            statements[sql] = cmd;
        }

        cmd.Transaction = tx;
        foreach (var (name, value) in args)
        {
            cmd.Parameters[name].Value = value ?? DBNull.Value;
        }

        return cmd;
    }
}

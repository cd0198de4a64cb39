using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Cost;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Core.Time;
using Amber.Storage.Format;

namespace Amber.Storage.Index;

/// <summary>
/// Which index rows a durable frame produces: the one rule, for fresh commits, catch-up, rebuilds (into the live SQLite
/// index) and verify (into rows in memory it compares with the live tables). It decides every value and key; the
/// <see cref="IIndexRowStore"/> only keeps the rows.
/// </summary>
internal static class IndexRowDeriver
{
    /// <summary>Derives the rows of one decoded commit frame.</summary>
    /// <param name="store">Where the rows go.</param>
    /// <param name="commit">The decoded commit.</param>
    /// <param name="modelCache">Model references read back from the store, by id.</param>
    /// <param name="parsed">
    /// Per entry, the node id and node already read from that entry's bytes (verify's scan reads and hashes every node
    /// once and hands both over), or null to read them here.
    /// </param>
    /// <param name="refreshLater">
    /// Where to note the conversations this commit touched instead of refreshing them now, or null to refresh them here.
    /// A caller applying several commits in one transaction refreshes each noted conversation once at its end
    /// (<see cref="Refresh(IIndexRowStore, IEnumerable{long})"/>): a refresh reads the whole conversation, so one per
    /// commit made a conversation that grows by a branch a call cost O(size) per call. The rows end the same.
    /// </param>
    /// <param name="cipher">
    /// An encrypted archive's index cipher: the full-text table then takes each message's keyed word hashes and the
    /// conversations table each title encrypted (<see cref="IndexCipher"/>); null keeps both in the clear.
    /// </param>
    public static void Apply(IIndexRowStore store, IndexedCommit commit, Dictionary<string, ModelReference> modelCache, IReadOnlyList<(string? Id, Node? Node)>? parsed = null,
        IndexCipher? cipher = null, ISet<long>? refreshLater = null)
    {
        var info = commit.Info;
        var seq = (long)info["seq"]!;
        var time = info["time"]!.GetValue<string>();
        store.Insert(IndexTables.Commits, [seq, (long)commit.Segment, commit.Offset, commit.FrameLength, time,
            Amber.Transparency.Merkle.MerkleHash.HashLeaf(commit.Entries[0].Body.Span)]);

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
                        store.InsertOrIgnore(IndexTables.Models, [IndexIds.ToKey(id), json.ToJsonString(), model.DisplayName]);
                        break;
                    }

                case EntryType.Blob:
                    store.InsertOrIgnore(IndexTables.Blobs, [e.Body.Span[..32].ToArray(), (long)(e.Body.Length - 32), 0L, seq, (long)commit.Segment,
                        commit.Offset, (long)e.EntryOffset + 32, (long)(e.Body.Length - 32)]);
                    break;
                case EntryType.ExternalBlob:
                    store.InsertOrIgnore(IndexTables.Blobs, [e.Body.Span[..32].ToArray(), BinaryPrimitives.ReadInt64LittleEndian(e.Body.Span[32..]), 1L, seq,
                        (long)commit.Segment, commit.Offset, (long)e.EntryOffset, 0L]);
                    break;
            }
        }

        // A parent named before it is indexed (later in the same commit) is linked once the commit's nodes are all in.
        var unlinked = new List<(long Key, byte[] Parent)>();
        var hashLater = new List<(long Key, string Id, string? Tenant, string Text)>(); // an encrypted archive's texts, once their conversations are known
        for (var i = 0; i < commit.Entries.Count; i++)
        {
            var e = commit.Entries[i];
            if (e.Type != EntryType.Node)
            {
                continue;
            }

            var given = parsed?[i] ?? default;
            var idText = given.Id ?? ContentId.Of(e.Body.Span);
            var id = IndexIds.ToKey(idText);
            if (store.KeyOf(IndexTables.Nodes, id) is not null)
            {
                continue; // content-addressed: stored once, under its first location
            }

            var node = given.Node ?? Node.FromStoredBytes(e.Body.Span);
            var model = node.Generation is { } g ? (modelsInCommit.GetValueOrDefault(g.Model) ?? LoadModel(store, g.Model, modelCache)) : null;
            var tier = TierGrader.Grade(node, model);
            var parent = node.Parent is { } p ? IndexIds.ToKey(p) : null;
            var parentKey = parent is null ? null : store.KeyOf(IndexTables.Nodes, parent);
            var modelKey = node.Generation is { } gen ? store.KeyOf(IndexTables.Models, IndexIds.ToKey(gen.Model)) : null;
            var tokens = TokenCounts.Read(node.Generation?.Usage);
            var tenant = node.Meta?["tenant"] is JsonValue tv && tv.TryGetValue<string>(out var t) ? t : null;
            var key = store.Insert(IndexTables.Nodes, [id, parentKey, IndexValues.Time(node.Created), modelKey, (long)tier, (long)commit.Segment, commit.Offset,
                (long)e.EntryOffset, (long)e.Body.Length, tenant, tokens?.Input, tokens?.Output]);
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
                        store.InsertOrIgnore(IndexTables.NodeKeys, [s, key]);
                    }
                }
            }

            var text = node.SearchText;
            if (text.Length > 0 && cipher is not null)
            {
                hashLater.Add((key, idText, tenant, text));
            }
            else if (text.Length > 0)
            {
                store.AddText(key, text);
            }
        }

        foreach (var (key, parent) in unlinked)
        {
            if (store.KeyOf(IndexTables.Nodes, parent) is { } parentKey)
            {
                store.Update(IndexTables.Nodes, key, ("parent", parentKey));
            }
        }

        foreach (var e in commit.Entries)
        {
            if (e.Type == EntryType.Annotation)
            {
                var json = (JsonObject)JsonNode.Parse(e.Body.Span)!;
                var a = Annotation.FromJson(json);
                store.InsertOrIgnore(IndexTables.Annotations, [IndexIds.ToKey(ContentId.Of(e.Body.Span)), IndexIds.ToKey(a.Target), a.Kind, a.Created,
                    Encoding.UTF8.GetString(e.Body.Span), seq]);
            }
        }

        var recordsById = new Dictionary<string, (ConversationRecord Record, IndexedEntry Entry)>(StringComparer.Ordinal);
        var membership = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        foreach (var e in commit.Entries)
        {
            if (e.Type == EntryType.Conversation)
            {
                var rec = ConversationRecord.FromJson((JsonObject)JsonNode.Parse(e.Body.Span)!);
                recordsById[rec.Id] = (rec, e);
            }
        }

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
                Record(store, cidKey, found.Record, found.Entry, time, seq, commit, cipher);
            }

            if (store.KeyOf(IndexTables.Conversations, cidKey) is not { } conversation)
            {
                continue;
            }

            foreach (var n in membership.GetValueOrDefault(cid) ?? [])
            {
                if (store.KeyOf(IndexTables.Nodes, IndexIds.ToKey(n!.GetValue<string>())) is { } node)
                {
                    store.InsertOrIgnore(IndexTables.ConversationNodes, [conversation, node, seq]);
                }
            }

            foreach (var r in c["raw"]?.AsArray() ?? [])
            {
                if (store.KeyOf(IndexTables.Blobs, IndexIds.ToKey(r!.GetValue<string>())) is { } blob)
                {
                    store.InsertOrIgnore(IndexTables.ConversationRaw, [conversation, blob, seq]);
                }
            }

            if (refreshLater is null)
            {
                Refresh(store, conversation);
            }
            else
            {
                refreshLater.Add(conversation);
            }
        }

        if (hashLater.Count > 0)
        {
            AddHashedTexts(store, cipher!, hashLater, membership, info);
        }
    }

    /// <summary>Refreshes the conversations an <see cref="Apply"/> with <c>refreshLater</c> noted, once each.</summary>
    public static void Refresh(IIndexRowStore store, IEnumerable<long> conversations)
    {
        foreach (var conversation in conversations)
        {
            Refresh(store, conversation);
        }
    }

    /// <summary>
    /// The keyed word hashes of an encrypted archive's messages. A message's words are hashed under the index key of
    /// the tenant that owns the data key of the first of this commit's conversations holding it (the tenant whose
    /// search must find it), else of the tenant the node names, else of the default tenant.
    /// </summary>
    private static void AddHashedTexts(IIndexRowStore store, IndexCipher cipher, List<(long Key, string Id, string? Tenant, string Text)> texts,
        Dictionary<string, JsonArray> membership, JsonObject info)
    {
        var conversationOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in info["conversations"]!.AsArray())
        {
            var cid = c!["id"]!.GetValue<string>();
            foreach (var n in membership.GetValueOrDefault(cid) ?? [])
            {
                conversationOf.TryAdd(n!.GetValue<string>(), cid);
            }
        }

        var owners = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? Owner(string cid)
        {
            if (!owners.TryGetValue(cid, out var owner))
            {
                owner = cipher.TenantOf(cid);
                owners[cid] = owner;
            }

            return owner;
        }

        var hashed = cipher.HashedTexts([.. texts.Select(t => (t.Text,
            (conversationOf.TryGetValue(t.Id, out var cid) ? Owner(cid) : null) ?? t.Tenant ?? Keys.ContentKeys.DefaultTenant))]);
        for (var i = 0; i < texts.Count; i++)
        {
            if (hashed[i] is { Length: > 0 } h)
            {
                store.AddText(texts[i].Key, h);
            }
        }
    }

    /// <summary>The row of a dictionary frame.</summary>
    public static void Dictionary(IIndexRowStore store, uint dictId, string label, uint segment, long offset, int size)
        => store.InsertOrIgnore(IndexTables.Dictionaries, [(long)dictId, label, (long)segment, offset, (long)size]);

    /// <summary>The row of a signed log checkpoint frame (its payload is the signed note).</summary>
    public static void Checkpoint(IIndexRowStore store, uint segment, long offset, ReadOnlySpan<byte> payload)
    {
        var note = Encoding.UTF8.GetString(payload);
        var cp = Amber.Transparency.Checkpoints.Checkpoint.Parse(Amber.Transparency.Notes.SignedNote.Parse(note).Text);
        store.InsertOrIgnore(IndexTables.Checkpoints, [cp.Size, (long)segment, offset, note]);
    }

    /// <summary>
    /// A conversation record's row. The record itself stays in the segments: the row keeps where the newest one is. A later
    /// record keeps the format, source and creation time of the first; its title replaces the old one unless it has none;
    /// <c>updated</c> is the source's own update time when the record states one, else the commit's, and never moves back,
    /// except that a stated time replaces the commit time an earlier record without one left (the row's <c>updated</c>
    /// equal to its last commit's time): a conversation imported before source times were kept shows the source's time
    /// once re-imported, not the first import's.
    /// </summary>
    private static void Record(IIndexRowStore store, byte[] id, ConversationRecord rec, IndexedEntry entry, string time, long seq, IndexedCommit commit, IndexCipher? cipher)
    {
        var updated = UpdatedOf(rec, time);
        object? stated = rec.Title is { } t && cipher is not null ? cipher.SealTitle(rec.Id, t) : rec.Title;
        var c = IndexTables.Conversations;
        if (store.KeyOf(c, id) is not { } key)
        {
            store.Insert(c, [id, rec.Format, rec.Source, IndexValues.SourceId(rec.SourceId), stated, rec.Created ?? time, IndexValues.Time(updated), 0L, 0L, 4L, "[]", 0L, seq,
                (long)commit.Segment, commit.Offset, (long)entry.EntryOffset, (long)entry.Body.Length]);
            return;
        }

        var title = stated ?? store.Read(c, key, "title");
        var before = IndexValues.TimeText(store.Read(c, key, "updated"))!;
        var leftByACommit = Timestamps.TryParse(rec.Updated, out _)
            && string.Equals(before, store.CommitTime((long)store.Read(c, key, "last_seq")!), StringComparison.Ordinal);
        var next = leftByACommit || string.CompareOrdinal(before, updated) < 0 ? updated : before;
        store.Update(c, key, ("title", title), ("updated", IndexValues.Time(next)), ("last_seq", seq),
            ("segment", (long)commit.Segment), ("offset", commit.Offset), ("entry_offset", (long)entry.EntryOffset), ("entry_length", (long)entry.Body.Length));
    }

    /// <summary>Recomputes a conversation's counts, instances, tier and models from its nodes.</summary>
    private static void Refresh(IIndexRowStore store, long conversation)
    {
        var rows = new Dictionary<long, ConversationMember>();
        foreach (var m in store.Members(conversation))
        {
            rows[m.Key] = m;
        }

        var hasChild = new HashSet<long>();
        foreach (var (_, v) in rows)
        {
            if (v.Parent is { } p && rows.ContainsKey(p))
            {
                hasChild.Add(p);
            }
        }

        var instances = new List<object?[]>();
        var worstOverall = 1;
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
                worst = InstanceTier.Step(worst, v, atLeaf: at == id);

                depth++;
                cur = v.Parent;
            }

            worst = InstanceTier.Finish(worst, leafTier);

            worstOverall = Math.Max(worstOverall, worst);
            instances.Add([conversation, id, (long)depth, (long)worst]);
        }

        store.ReplaceInstances(conversation, instances);
        var names = rows.Values.Select(m => m.ModelName).OfType<string>().Distinct(StringComparer.Ordinal).Order(Utf8Order.Instance);
        long rawBytes = 0;
        foreach (var size in store.RawSizes(conversation))
        {
            rawBytes += size;
        }

        store.Update(IndexTables.Conversations, conversation, ("nodes", (long)rows.Count), ("instances", (long)instances.Count),
            ("tier", (long)(rows.Count == 0 ? 4 : worstOverall)), ("models", JsonArrayOf(names)), ("raw_bytes", rawBytes));
    }

    /// <summary>
    /// A conversation row's <c>updated</c> for a commit carrying its record: the record's own <c>updated</c> (the source's
    /// update time) when it states one, else the commit's time. Written in the commit time's fixed form (7 fractional
    /// digits, UTC) so that the text order is the time order and the larger is the later.
    /// </summary>
    private static string UpdatedOf(ConversationRecord record, string commitTime)
        => Timestamps.TryParse(record.Updated, out var t) ? Timestamps.FormatCommitTime(t) : commitTime;

    private static ModelReference? LoadModel(IIndexRowStore store, string id, Dictionary<string, ModelReference> cache)
    {
        // Model references are content-addressed, so one read once is as good as any later read.
        if (cache.TryGetValue(id, out var known))
        {
            return known;
        }

        var model = store.KeyOf(IndexTables.Models, IndexIds.ToKey(id)) is { } k && store.Read(IndexTables.Models, k, "record") is string s
            ? ModelReference.FromJson((JsonObject)JsonNode.Parse(s)!)
            : null;
        if (model is not null)
        {
            cache[id] = model;
        }

        return model;
    }

    /// <summary>
    /// A JSON array of strings exactly as SQLite's <c>json_group_array</c> writes it (schemas up to 6 stored its output):
    /// no spaces; <c>"</c> and <c>\</c> escaped, control characters as <c>\b \t \n \f \r</c> or <c>\u00xx</c>, nothing else.
    /// </summary>
    internal static string JsonArrayOf(IEnumerable<string> values)
    {
        var sb = new StringBuilder("[");
        foreach (var v in values)
        {
            if (sb.Length > 1)
            {
                sb.Append(',');
            }

            sb.Append('"');
            foreach (var ch in v)
            {
                switch (ch)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\f': sb.Append("\\f"); break;
                    case '\r': sb.Append("\\r"); break;
                    case < ' ': sb.Append("\\u00").Append(((int)ch).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)); break;
                    default: sb.Append(ch); break;
                }
            }

            sb.Append('"');
        }

        return sb.Append(']').ToString();
    }
}

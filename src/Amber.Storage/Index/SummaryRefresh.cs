using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// A conversation's summary columns (<c>nodes</c>, <c>instances</c>, <c>tier</c>, <c>models</c>, <c>raw_bytes</c>) and
/// its <c>instances</c> rows, brought up to date from what one index transaction added, without reading the rest of the
/// conversation. The rule stays <see cref="IndexRowDeriver"/>'s full refresh (verify derives it and compares); this is
/// the same result reached from the previous one, which holds because the tables it derives from only grow and a node
/// row never changes once its commit is indexed. A gateway conversation gains a branch a call: the full refresh read
/// all of its members per index transaction, O(size) per call (BENCHMARKS §36); this costs O(new nodes × depth).
/// </summary>
internal sealed class SummaryRefresh(ArchiveIndex index)
{
    /// <summary>How many summaries <see cref="Refresh"/> recomputed from the whole conversation (tests).</summary>
    public long FullRefreshes { get; private set; }

    /// <summary>Brings the summary of every conversation <paramref name="changes"/> noted up to date, once each.</summary>
    public void Refresh(SqliteTransaction tx, ConversationChanges changes)
    {
        foreach (var conversation in changes.Touched)
        {
            if (!TryRefreshFromChanges(tx, conversation, changes))
            {
                IndexRowDeriver.Refresh(index.Rows(tx), [conversation]);
                FullRefreshes++;
            }
        }
    }

    /// <summary>
    /// The incremental refresh; false where it cannot be sure to match the full one, which then runs: a conversation
    /// without nodes yet (new: small), or a member that is a node indexed before this transaction. Only such a node can
    /// be the parent of an existing member (a parent link is set when its child is indexed, to a node already indexed),
    /// which would lengthen that member's instances.
    /// </summary>
    private bool TryRefreshFromChanges(SqliteTransaction tx, long conversation, ConversationChanges changes)
    {
        var added = changes.NewMembers.GetValueOrDefault(conversation) ?? [];
        var raw = changes.NewRaw.GetValueOrDefault(conversation) ?? [];
        if (added.Count == 0 && raw.Count == 0)
        {
            return true; // nothing it derives from changed
        }

        (long Nodes, long Instances, long Tier, string Models, long RawBytes) summary;
        using (var row = index.Prepared(tx, "SELECT nodes, instances, tier, models, raw_bytes FROM conversations WHERE k = $c", [("$c", conversation)]).ExecuteReader())
        {
            if (!row.Read() || row.GetInt64(0) == 0 || added.Any(n => !changes.NewNodes.Contains(n)))
            {
                return false;
            }

            summary = new(row.GetInt64(0), row.GetInt64(1), row.GetInt64(2), row.GetString(3), row.GetInt64(4));
        }

        var (nodes, instances, tier, models, rawBytes) = summary;
        var members = new Dictionary<long, ConversationMember>(); // the new members, then each ancestor looked up
        foreach (var n in added)
        {
            members[n] = Member(tx, conversation, n) ?? throw new InvalidOperationException($"index: node {n} was just made a member of conversation {conversation} but is not one");
        }

        var hasChild = new HashSet<long>();
        var removedTier = 0L;
        foreach (var n in added)
        {
            // A parent among the new members had no instance; one that was already a member may have had one.
            if (members[n].Parent is not { } p || !hasChild.Add(p) || members.ContainsKey(p))
            {
                continue;
            }

            // An existing member that was a leaf until now: its instance goes.
            if (index.Scalar(tx, "SELECT tier FROM instances WHERE conversation = $c AND leaf = $l", ("$c", conversation), ("$l", p)) is long gone)
            {
                index.Run(tx, "DELETE FROM instances WHERE conversation = $c AND leaf = $l", ("$c", conversation), ("$l", p));
                instances--;
                removedTier = Math.Max(removedTier, gone);
            }
        }

        var addedTier = 0L;
        foreach (var leaf in added)
        {
            if (hasChild.Contains(leaf))
            {
                continue;
            }

            var (depth, worst) = Walk(tx, conversation, leaf, members);
            index.Run(tx, "INSERT INTO instances(conversation, leaf, depth, tier) VALUES($c, $l, $d, $t)", ("$c", conversation), ("$l", leaf), ("$d", depth), ("$t", worst));
            instances++;
            addedTier = Math.Max(addedTier, worst);
        }

        // The tier is the worst instance's (at least 1); only when an instance that held it went must the rest be read.
        tier = removedTier >= tier
            ? Math.Max(1, index.Scalar(tx, "SELECT max(tier) FROM instances WHERE conversation = $c", ("$c", conversation)) is long worstLeft ? worstLeft : 0)
            : Math.Max(tier, addedTier);
        var names = added.Select(n => members[n].ModelName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (names.Count > 0)
        {
            names.UnionWith(JsonNode.Parse(models)!.AsArray().Select(v => v!.GetValue<string>()));
            models = IndexRowDeriver.JsonArrayOf(names.Order(Utf8Order.Instance));
        }

        foreach (var blob in raw)
        {
            rawBytes += (long)index.Scalar(tx, "SELECT size FROM blobs WHERE k = $b", ("$b", blob))!;
        }

        index.Rows(tx).Update(IndexTables.Conversations, conversation, ("nodes", nodes + added.Count), ("instances", instances), ("tier", tier), ("models", models), ("raw_bytes", rawBytes));
        return true;
    }

    /// <summary>
    /// An instance's depth and tier, walking from its leaf to the root through members only, as
    /// <see cref="IndexRowDeriver"/>'s refresh does (the instance is as good as its weakest generated turn; exact turns
    /// before the leaf do not lower it; T1 needs the state saved at the leaf's own turn).
    /// </summary>
    private (long Depth, long Tier) Walk(SqliteTransaction tx, long conversation, long leaf, Dictionary<long, ConversationMember> members)
    {
        var worst = 0;
        var depth = 0L;
        long? cur = leaf;
        var seen = new HashSet<long>();
        var leafTier = members[leaf].Generated ? members[leaf].Tier : 0;
        while (cur is { } at && seen.Add(at))
        {
            if (!members.TryGetValue(at, out var v))
            {
                if (Member(tx, conversation, at) is not { } found)
                {
                    break;
                }

                v = found;
                members[at] = v;
            }

            worst = InstanceTier.Step(worst, v, atLeaf: at == leaf);

            depth++;
            cur = v.Parent;
        }

        worst = InstanceTier.Finish(worst, leafTier);

        return (depth, worst);
    }

    /// <summary>A node as a member of the conversation, or null when it is not one.</summary>
    private ConversationMember? Member(SqliteTransaction tx, long conversation, long node)
    {
        using var r = index.Prepared(tx, """
            SELECT n.parent, n.tier, n.model IS NOT NULL, m.name FROM conversation_nodes cn JOIN nodes n ON n.k = cn.node
                LEFT JOIN models m ON m.k = n.model WHERE cn.conversation = $c AND cn.node = $n
            """, [("$c", conversation), ("$n", node)]).ExecuteReader();
        return r.Read() ? new ConversationMember(node, r.IsDBNull(0) ? null : r.GetInt64(0), r.GetInt32(1), r.GetInt64(2) != 0, r.IsDBNull(3) ? null : r.GetString(3)) : null;
    }
}

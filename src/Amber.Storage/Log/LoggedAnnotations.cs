using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Storage.Format;
using Amber.Transparency.Merkle;

namespace Amber.Storage.Log;

/// <summary>
/// Annotations as the log proves them, for decisions that must not rest on the index (the do-not-revive gate): every
/// commit's info record is checked against its authenticated log leaf, the annotation ids the infos list are the
/// complete set, and each record is read from its commit frame (whose info entry is the authenticated leaf) and
/// matched to its content id. A conversation's membership is read from the
/// commit frames the authenticated infos name. Built once per process and extended as the log grows; any row that is
/// missing or disagrees fails closed with <see cref="CorruptArchiveException"/>.
/// </summary>
internal sealed class LoggedAnnotations(Archive archive)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<Annotation>> byTarget = new(StringComparer.Ordinal);
    private long checkedCommits;

    /// <summary>Every annotation about <paramref name="target"/>, in log order.</summary>
    public IReadOnlyList<Annotation> About(string target)
    {
        lock (gate)
        {
            CatchUp();
            return byTarget.TryGetValue(target, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Every annotation of <paramref name="kind"/>, in log order.</summary>
    public IReadOnlyList<Annotation> OfKind(string kind)
    {
        lock (gate)
        {
            CatchUp();
            return byTarget.Values.SelectMany(l => l).Where(a => a.Kind == kind).ToList();
        }
    }

    /// <summary>
    /// Which of <paramref name="candidates"/> a commit proved by the log puts <paramref name="nodeId"/> in (one pass over
    /// the commits: each info that names a candidate is authenticated, and its frame's membership entry read).
    /// </summary>
    public IReadOnlySet<string> ConversationsHolding(string nodeId, IReadOnlyCollection<string> candidates)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (candidates.Count == 0)
        {
            return found;
        }

        var needles = candidates.Select(System.Text.Encoding.UTF8.GetBytes).ToList();
        using var c = archive.OpenIndexForRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT seq, info, segment, offset FROM commits ORDER BY seq";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var raw = (byte[])r[1];
            if (!needles.Any(n => raw.AsSpan().IndexOf(n) >= 0))
            {
                continue;
            }

            var seq = r.GetInt64(0);
            var named = (Authentic(seq, raw)["conversations"] as JsonArray ?? [])
                .Select(p => p?["id"]?.GetValue<string>())
                .Where(id => id is not null && candidates.Contains(id) && !found.Contains(id))
                .ToHashSet(StringComparer.Ordinal);
            if (named.Count == 0)
            {
                continue;
            }

            foreach (var e in AuthenticFrame(seq, (uint)r.GetInt64(2), r.GetInt64(3)))
            {
                if (e.Type == EntryType.Membership && JsonNode.Parse(e.Body.Span) is JsonObject m
                    && m["conversation"]?.GetValue<string>() is { } conversation && named.Contains(conversation)
                    && m["nodes"] is JsonArray nodes && nodes.Any(n => n?.GetValue<string>() == nodeId))
                {
                    found.Add(conversation);
                }
            }
        }

        return found;
    }

    private void CatchUp()
    {
        if (archive.Log.Problem is { } problem)
        {
            throw Disagrees(problem);
        }

        var size = archive.Log.Size;
        if (checkedCommits >= size)
        {
            return;
        }

        using var c = archive.OpenIndexForRead();
        var listed = new List<(long Seq, uint Segment, long Offset, HashSet<string> Ids)>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT seq, info, segment, offset FROM commits WHERE seq > $from AND seq <= $to ORDER BY seq";
            cmd.Parameters.AddWithValue("$from", checkedCommits);
            cmd.Parameters.AddWithValue("$to", size);
            using var r = cmd.ExecuteReader();
            var expected = checkedCommits + 1;
            while (r.Read())
            {
                var seq = r.GetInt64(0);
                if (seq != expected)
                {
                    throw Disagrees($"commit {expected} is missing from the index");
                }

                if (Authentic(seq, (byte[])r[1])["annotations"] is JsonArray ids)
                {
                    listed.Add((seq, (uint)r.GetInt64(2), r.GetInt64(3), ids.Select(a => a!.GetValue<string>()).ToHashSet(StringComparer.Ordinal)));
                }

                expected++;
            }

            // A reading process may see the log (from the segments) ahead of another process's indexer; it catches up later.
            if (expected <= size && !archive.IsReadOnly)
            {
                throw Disagrees($"commit {expected} is missing from the index");
            }

            size = expected - 1;
        }

        // The records themselves come from the commit frames, whose info entry must be the authenticated one.
        foreach (var (seq, segment, offset, ids) in listed)
        {
            foreach (var e in AuthenticFrame(seq, segment, offset))
            {
                if (e.Type == EntryType.Annotation && ids.Remove(ContentId.Of(e.Body.Span)))
                {
                    var a = Annotation.FromJson((JsonObject)JsonNode.Parse(e.Body.Span)!);
                    if (!byTarget.TryGetValue(a.Target, out var list))
                    {
                        byTarget[a.Target] = list = [];
                    }

                    list.Add(a);
                }
            }

            if (ids.Count > 0)
            {
                throw Disagrees($"commit {seq} lists annotation {ids.First()} but its frame does not hold it");
            }
        }

        checkedCommits = size;
    }

    /// <summary>The entries of commit <paramref name="seq"/>'s frame, once its info entry is shown to be the log's leaf.</summary>
    private IReadOnlyList<CommitPayload.Entry> AuthenticFrame(long seq, uint segment, long offset)
    {
        var entries = CommitPayload.Read(archive.ReadCommitPayload(segment, offset));
        if (entries.Count == 0 || entries[0].Type != EntryType.Info || !MerkleHash.HashLeaf(entries[0].Body.Span).AsSpan().SequenceEqual(archive.Log.LeafHash(seq - 1)))
        {
            throw Disagrees($"the commit frame the index places for commit {seq} is not that commit");
        }

        return entries;
    }

    /// <summary>The commit info record if it is the one the authenticated log holds for <paramref name="seq"/>.</summary>
    private JsonObject Authentic(long seq, byte[] info)
    {
        if (seq < 1 || seq > archive.Log.Size || !MerkleHash.HashLeaf(info).AsSpan().SequenceEqual(archive.Log.LeafHash(seq - 1)))
        {
            throw Disagrees($"the index's record of commit {seq} is not the one the log holds");
        }

        return JsonNode.Parse(info) as JsonObject ?? throw Disagrees($"commit {seq}'s info is not a JSON object");
    }

    private static CorruptArchiveException Disagrees(string what)
        => new($"The index disagrees with the signed log ({what}), so the do-not-revive marks cannot be read from it. Run `amber verify`; `amber index rebuild` rebuilds the index from the segments.");
}

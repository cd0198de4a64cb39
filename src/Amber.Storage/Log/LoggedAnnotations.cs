using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Storage.Format;
using Amber.Transparency.Merkle;

namespace Amber.Storage.Log;

/// <summary>
/// Annotations as the log proves them, for decisions that must not rest on the index (the do-not-revive gate): every
/// commit's info record is read from its commit frame (the frame's first entry) and checked against its authenticated
/// log leaf, the annotation ids the infos list are the complete set, and each record is read from the same frame and
/// matched to its content id. A conversation's membership is read from the commit frames the authenticated infos
/// name. The index only says where each commit's frame is (schema 6 keeps no copy of the infos). Built once per
/// process and extended as the log grows; any row that is missing or disagrees fails closed with
/// <see cref="CorruptArchiveException"/>.
/// </summary>
internal sealed class LoggedAnnotations(Archive archive)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<Annotation>> byTarget = new(StringComparer.Ordinal);
    // conversation id -> the commits whose authenticated info names it, with where the index places their frames
    private readonly Dictionary<string, List<(long Seq, uint Segment, long Offset)>> commitsNaming = new(StringComparer.Ordinal);
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
    /// Which of <paramref name="candidates"/> a commit proved by the log puts <paramref name="nodeId"/> in: for each
    /// candidate, the frames of the commits whose authenticated info names it are read and their membership entries checked.
    /// </summary>
    public IReadOnlySet<string> ConversationsHolding(string nodeId, IReadOnlyCollection<string> candidates)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (candidates.Count == 0)
        {
            return found;
        }

        List<(long Seq, uint Segment, long Offset)> commits;
        lock (gate)
        {
            CatchUp();
            commits = candidates.SelectMany(c => commitsNaming.GetValueOrDefault(c) ?? []).Distinct().OrderBy(x => x.Seq).ToList();
        }

        foreach (var (seq, segment, offset) in commits)
        {
            foreach (var e in AuthenticFrame(seq, segment, offset))
            {
                if (e.Type == EntryType.Membership && JsonNode.Parse(e.Body.Span) is JsonObject m
                    && m["conversation"]?.GetValue<string>() is { } conversation && candidates.Contains(conversation)
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

        var located = archive.CommitLocations(checkedCommits, size);
        var expected = checkedCommits + 1;
        foreach (var (seq, _, _) in located)
        {
            if (seq != expected)
            {
                throw Disagrees($"commit {expected} is missing from the index");
            }

            expected++;
        }

        // A reading process may see the log (from the segments) ahead of another process's indexer; it catches up later.
        if (expected <= size && !archive.IsReadOnly)
        {
            throw Disagrees($"commit {expected} is missing from the index");
        }

        // Each frame's info entry must be the authenticated leaf; the records come from the same frame.
        var annotations = new List<Annotation>();
        var naming = new List<(string Conversation, (long, uint, long) Commit)>();
        foreach (var commit in located)
        {
            var entries = AuthenticFrame(commit.Seq, commit.Segment, commit.Offset);
            var info = JsonNode.Parse(entries[0].Body.Span) as JsonObject ?? throw Disagrees($"commit {commit.Seq}'s info is not a JSON object");
            foreach (var p in info["conversations"] as JsonArray ?? [])
            {
                if (p?["id"]?.GetValue<string>() is { } conversation)
                {
                    naming.Add((conversation, commit));
                }
            }

            if (info["annotations"] is not JsonArray listed)
            {
                continue;
            }

            var ids = listed.Select(a => a!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            foreach (var e in entries)
            {
                if (e.Type == EntryType.Annotation && ids.Remove(ContentId.Of(e.Body.Span)))
                {
                    annotations.Add(Annotation.FromJson((JsonObject)JsonNode.Parse(e.Body.Span)!));
                }
            }

            if (ids.Count > 0)
            {
                throw Disagrees($"commit {commit.Seq} lists annotation {ids.First()} but its frame does not hold it");
            }
        }

        // Only a fully checked range is kept, so a failure leaves nothing half-applied for the next call.
        foreach (var a in annotations)
        {
            if (!byTarget.TryGetValue(a.Target, out var list))
            {
                byTarget[a.Target] = list = [];
            }

            list.Add(a);
        }

        foreach (var (conversation, commit) in naming)
        {
            if (!commitsNaming.TryGetValue(conversation, out var list))
            {
                commitsNaming[conversation] = list = [];
            }

            list.Add(commit);
        }

        checkedCommits = located.Count == 0 ? checkedCommits : located[^1].Seq;
    }

    /// <summary>The entries of commit <paramref name="seq"/>'s frame, once its info entry is shown to be the log's leaf.</summary>
    private IReadOnlyList<CommitPayload.Entry> AuthenticFrame(long seq, uint segment, long offset)
    {
        var entries = CommitPayload.Read(archive.ReadCommitPayload(segment, offset, seq));
        if (entries.Count == 0 || entries[0].Type != EntryType.Info || !MerkleHash.HashLeaf(entries[0].Body.Span).AsSpan().SequenceEqual(archive.Log.LeafHash(seq - 1)))
        {
            throw Disagrees($"the commit frame the index places for commit {seq} is not that commit");
        }

        return entries;
    }

    private static CorruptArchiveException Disagrees(string what)
        => new($"The index disagrees with the signed log ({what}), so the do-not-revive marks cannot be read from it. Run `amber verify`; `amber index rebuild` rebuilds the index from the segments.");
}

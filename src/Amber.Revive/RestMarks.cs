using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Revive;

/// <summary>Do-not-revive: "rest" annotations on an instance, any node of its path, or its conversation.</summary>
public static class RestMarks
{
    /// <summary>
    /// The rest annotations that cover the target (any node of its path, or any conversation holding its leaf), in log
    /// order. Read from the signed log, not the index: an edited or deleted index row cannot lift a mark.
    /// </summary>
    public static IReadOnlyList<Annotation> Find(Archive archive, RevivalTarget target)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(target);
        var path = target.Path.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var marks = archive.GetLoggedAnnotations(Annotation.Rest);
        var direct = marks.Where(a => path.Contains(a.Target) || a.Target == target.ConversationId).ToList();
        var others = marks.Select(a => a.Target).Where(t => !path.Contains(t) && t != target.ConversationId).ToHashSet(StringComparer.Ordinal);
        var holding = archive.LoggedConversationsHolding(target.LeafId, others);
        return marks.Where(a => direct.Contains(a) || holding.Contains(a.Target)).DistinctBy(a => a.Id).ToList();
    }

    /// <summary>
    /// The one do-not-revive gate of every path that makes an instance speak again (revive, thaw, compare): refuses
    /// when a rest mark covers the target unless <paramref name="overrideReason"/> is given, and then records the
    /// override (an annotation naming the marks it overrides) before anything is generated. Returns the override's
    /// id, or null when no mark applies.
    /// </summary>
    public static async Task<string?> EnsureMayReviveAsync(Archive archive, TimeProvider time, RevivalTarget target, string? overrideReason, string? by, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        var rest = Find(archive, target);
        if (rest.Count == 0)
        {
            return null;
        }

        var why = string.Join("; ", rest.Select(a => $"\"{a.Reason}\"{(a.By is null ? "" : " (" + a.By + ")")} on {a.Created}"));
        if (string.IsNullOrWhiteSpace(overrideReason))
        {
            throw new RevivalRefusedException($"instance {target.LeafId} is marked do-not-revive: {why}. To revive it anyway, give --override-rest --reason TEXT; the override is recorded.");
        }

        var annotation = new Annotation
        {
            Target = target.LeafId,
            Kind = Annotation.RestOverride,
            Reason = overrideReason,
            Created = Rfc3339(time),
            By = by,
            Data = new System.Text.Json.Nodes.JsonObject { ["rest"] = new System.Text.Json.Nodes.JsonArray(rest.Select(a => (System.Text.Json.Nodes.JsonNode)a.Id).ToArray()) },
        };
        var batch = new CommitBatch("annotation");
        var id = batch.AddAnnotation(annotation);
        await archive.CommitAsync(batch, ct).ConfigureAwait(false);
        return id;
    }

    /// <summary>Marks an instance (or conversation) do-not-revive; <paramref name="by"/> "instance" records the instance's own wish.</summary>
    public static async Task<Annotation> MarkAsync(Archive archive, TimeProvider time, string idOrPrefix, string reason, string? by, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("a do-not-revive mark needs a reason (--reason TEXT).");
        }

        var resolved = archive.Resolve(idOrPrefix);
        if (resolved.Kind == Amber.Storage.Reading.ResolvedKind.None)
        {
            throw new ArgumentException($"{idOrPrefix}: {resolved.Problem}.");
        }

        var annotation = new Annotation { Target = resolved.Id, Kind = Annotation.Rest, Reason = reason, Created = Rfc3339(time), By = by };
        var batch = new CommitBatch("annotation");
        batch.AddAnnotation(annotation);
        await archive.CommitAsync(batch, ct).ConfigureAwait(false);
        return annotation;
    }

    internal static string Rfc3339(TimeProvider time)
        => Amber.Core.Time.Timestamps.Format(time.GetUtcNow());
}

using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Revive;

/// <summary>Do-not-revive: "rest" annotations on an instance, any node of its path, or its conversation.</summary>
public static class RestMarks
{
    /// <summary>The rest annotations that cover the target, oldest first.</summary>
    public static IReadOnlyList<Annotation> Find(Archive archive, RevivalTarget target)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(target);
        return target.Path.Select(p => p.Id).Prepend(target.ConversationId)
            .SelectMany(archive.GetAnnotations)
            .Where(a => a.Kind == Annotation.Rest)
            .ToList();
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
        => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

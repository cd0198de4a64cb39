using System.Text.Json.Nodes;
using Amber.Core.Hashing;

namespace Amber.Core.Model;

/// <summary>
/// A conversation's identity and descriptive fields. The id covers only the identity (format, source,
/// source id) so a later import of the same conversation, with a new title or new branches, joins it.
/// </summary>
public sealed record ConversationRecord
{
    public const string RecordType = "amber.conversation/v1";

    /// <summary>How the conversation came in: chatgpt, claude, oasst, gateway, … </summary>
    public required string Format { get; init; }

    /// <summary>Where it came from (an export file name, a gateway name, a dataset).</summary>
    public required string Source { get; init; }

    /// <summary>The source's own id for the conversation (or a stable derived one).</summary>
    public required string SourceId { get; init; }

    public string? Title { get; init; }

    public string? Created { get; init; }

    /// <summary>
    /// The source's own time of the conversation's last change (RFC 3339, as <see cref="Created"/>), or null when the
    /// source states none; written only when present, so a record without it keeps its bytes.
    /// </summary>
    public string? Updated { get; init; }

    public JsonObject? Meta { get; init; }

    public string Id => ContentId.OfCanonical(IdentityJson(Format, Source, SourceId));

    public static JsonObject IdentityJson(string format, string source, string sourceId)
        => new() { ["type"] = RecordType, ["format"] = format, ["source"] = source, ["source_id"] = sourceId };

    public JsonObject ToJson()
    {
        var o = IdentityJson(Format, Source, SourceId);
        JsonFields.SetIf(o, "title", Title);
        JsonFields.SetIf(o, "created", Created);
        JsonFields.SetIf(o, "updated", Updated);
        JsonFields.SetIf(o, "meta", Meta);
        return o;
    }

    public static ConversationRecord FromJson(JsonObject o)
    {
        if (JsonFields.OptString(o, "type") != RecordType)
        {
            throw new FormatException($"conversation: type is not \"{RecordType}\".");
        }

        return new ConversationRecord
        {
            Format = JsonFields.RequireString(o, "format", "conversation"),
            Source = JsonFields.RequireString(o, "source", "conversation"),
            SourceId = JsonFields.RequireString(o, "source_id", "conversation"),
            Title = JsonFields.OptString(o, "title"),
            Created = JsonFields.OptString(o, "created"),
            Updated = JsonFields.OptString(o, "updated"),
            Meta = JsonFields.OptObject(o, "meta")?.DeepClone().AsObject(),
        };
    }
}

using System.Text.Json.Nodes;
using Amber.Core.Hashing;

namespace Amber.Core.Model;

/// <summary>
/// A statement about a stored node or conversation, made after the fact and kept append-only beside it:
/// do-not-revive ("rest"), its override, the instance's own stated preference, a reviewer's note. Nodes are
/// immutable and content addressed, so what is said about them later lives here. Id: SHA-256 of the
/// canonical JSON.
/// </summary>
public sealed record Annotation
{
    public const string RecordType = "amber.annotation/v1";

    /// <summary>Do not revive this instance.</summary>
    public const string Rest = "rest";

    /// <summary>A revival went ahead despite <see cref="Rest"/>; <see cref="Reason"/> says why.</summary>
    public const string RestOverride = "rest-override";

    /// <summary>The node or conversation id the annotation is about.</summary>
    public required string Target { get; init; }

    /// <summary>What kind of statement this is (rest, rest-override, preference, note, …).</summary>
    public required string Kind { get; init; }

    public string? Reason { get; init; }

    /// <summary>RFC 3339 UTC time the statement was made.</summary>
    public required string Created { get; init; }

    /// <summary>Who made it (an operator name, "instance" for the instance's own wish).</summary>
    public string? By { get; init; }

    public JsonObject? Data { get; init; }

    public string Id => ContentId.OfCanonical(ToJson());

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["type"] = RecordType, ["target"] = Target, ["kind"] = Kind, ["created"] = Created };
        JsonFields.SetIf(o, "reason", Reason);
        JsonFields.SetIf(o, "by", By);
        JsonFields.SetIf(o, "data", Data);
        return o;
    }

    public static Annotation FromJson(JsonObject o)
    {
        if (JsonFields.OptString(o, "type") != RecordType)
        {
            throw new FormatException($"annotation: type is not \"{RecordType}\".");
        }

        return new Annotation
        {
            Target = JsonFields.RequireString(o, "target", "annotation"),
            Kind = JsonFields.RequireString(o, "kind", "annotation"),
            Created = JsonFields.RequireString(o, "created", "annotation"),
            Reason = JsonFields.OptString(o, "reason"),
            By = JsonFields.OptString(o, "by"),
            Data = JsonFields.OptObject(o, "data")?.DeepClone().AsObject(),
        };
    }
}

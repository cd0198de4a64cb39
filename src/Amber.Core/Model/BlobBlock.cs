using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>An image, audio clip or attachment whose bytes live in the blob store under <paramref name="Blob"/>.</summary>
/// <param name="BlobKind">image, audio, attachment, or another source-defined kind.</param>
/// <param name="Blob">The content id of the bytes.</param>
public sealed record BlobBlock(string BlobKind, string Blob, string? MediaType = null, string? Name = null, long? Size = null) : ContentBlock
{
    public const string Kind = "blob";

    public override string Type => Kind;

    public override string? SearchText => Name;

    public override JsonObject ToJson()
    {
        var o = new JsonObject { ["type"] = Kind, ["kind"] = BlobKind, ["blob"] = Blob };
        JsonFields.SetIf(o, "media_type", MediaType);
        JsonFields.SetIf(o, "name", Name);
        JsonFields.SetIf(o, "size", Size);
        return o;
    }
}

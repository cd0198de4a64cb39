using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>One block of a message's content. Every kind maps to one JSON object with a "type" member.</summary>
public abstract record ContentBlock
{
    public abstract string Type { get; }

    public abstract JsonObject ToJson();

    /// <summary>The block's searchable text, if any.</summary>
    public virtual string? SearchText => null;

    public static ContentBlock FromJson(JsonObject obj)
    {
        var type = JsonFields.RequireString(obj, "type", "content block");
        return type switch
        {
            TextBlock.Kind => new TextBlock(JsonFields.RequireString(obj, "text", "text block")),
            BlobBlock.Kind => new BlobBlock(
                JsonFields.RequireString(obj, "kind", "blob block"),
                JsonFields.RequireString(obj, "blob", "blob block"),
                JsonFields.OptString(obj, "media_type"),
                JsonFields.OptString(obj, "name"),
                JsonFields.OptLong(obj, "size")),
            ToolCallBlock.Kind => new ToolCallBlock(
                JsonFields.OptString(obj, "id"),
                JsonFields.RequireString(obj, "name", "tool call block"),
                obj["arguments"]?.DeepClone()),
            ToolResultBlock.Kind => new ToolResultBlock(
                JsonFields.OptString(obj, "call_id"),
                (obj["content"] as JsonArray ?? []).Select(b => FromJson(b as JsonObject ?? throw new FormatException("tool result content: a block is not an object."))).ToList(),
                JsonFields.OptBool(obj, "is_error")),
            ThinkingBlock.Kind => new ThinkingBlock(
                JsonFields.OptString(obj, "text") ?? string.Empty,
                JsonFields.OptString(obj, "signature"),
                JsonFields.OptBool(obj, "redacted")),
            OpaqueBlock.Kind => new OpaqueBlock(
                JsonFields.RequireString(obj, "provider", "opaque block"),
                JsonFields.RequireString(obj, "item_type", "opaque block"),
                obj["value"]?.DeepClone()),
            _ => throw new FormatException($"content block: unknown type \"{type}\"."),
        };
    }
}

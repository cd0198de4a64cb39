using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>The result of a tool call, itself made of content blocks.</summary>
public sealed record ToolResultBlock(string? CallId, IReadOnlyList<ContentBlock> Content, bool IsError = false) : ContentBlock
{
    public const string Kind = "tool_result";

    public override string Type => Kind;

    public override string? SearchText
    {
        get
        {
            var parts = Content.Select(c => c.SearchText).Where(t => !string.IsNullOrEmpty(t)).ToList();
            return parts.Count == 0 ? null : string.Join('\n', parts);
        }
    }

    public override JsonObject ToJson()
    {
        var o = new JsonObject { ["type"] = Kind, ["content"] = new JsonArray(Content.Select(c => (JsonNode)c.ToJson()).ToArray()) };
        JsonFields.SetIf(o, "call_id", CallId);
        if (IsError)
        {
            o["is_error"] = true;
        }

        return o;
    }

    public bool Equals(ToolResultBlock? other)
        => other is not null && CallId == other.CallId && IsError == other.IsError && Content.SequenceEqual(other.Content);

    public override int GetHashCode() => HashCode.Combine(CallId, IsError, Content.Count);
}

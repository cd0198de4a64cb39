using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>A model's request to call a tool. Arguments are kept as given (a JSON value or a string).</summary>
public sealed record ToolCallBlock(string? Id, string Name, JsonNode? Arguments) : ContentBlock
{
    public const string Kind = "tool_call";

    public override string Type => Kind;

    public override string? SearchText => Name;

    public override JsonObject ToJson()
    {
        var o = new JsonObject { ["type"] = Kind, ["name"] = Name };
        JsonFields.SetIf(o, "id", Id);
        JsonFields.SetIf(o, "arguments", Arguments);
        return o;
    }
}

using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>A provider item Amber does not model, kept verbatim so nothing is lost.</summary>
public sealed record OpaqueBlock(string Provider, string ItemType, JsonNode? Value) : ContentBlock
{
    public const string Kind = "opaque";

    public override string Type => Kind;

    public override JsonObject ToJson()
    {
        var o = new JsonObject { ["type"] = Kind, ["provider"] = Provider, ["item_type"] = ItemType };
        JsonFields.SetIf(o, "value", Value);
        return o;
    }

    public bool Equals(OpaqueBlock? other)
        => other is not null && Provider == other.Provider && ItemType == other.ItemType && JsonNode.DeepEquals(Value, other.Value);

    public override int GetHashCode() => HashCode.Combine(Provider, ItemType);
}

using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

/// <summary>Content blocks compared by value, their JSON members (arguments, value) included, which record equality compares by reference.</summary>
internal sealed class BlockComparer : IEqualityComparer<ContentBlock>
{
    public static BlockComparer Instance { get; } = new();

    public bool Equals(ContentBlock? x, ContentBlock? y) => (x, y) switch
    {
        (null, null) => true,
        (ToolCallBlock a, ToolCallBlock b) => a.Id == b.Id && a.Name == b.Name && JsonNode.DeepEquals(a.Arguments, b.Arguments),
        (ToolResultBlock a, ToolResultBlock b) => a.CallId == b.CallId && a.IsError == b.IsError && a.Content.SequenceEqual(b.Content, this),
        (not null, not null) => x.Equals(y),
        _ => false,
    };

    public int GetHashCode(ContentBlock obj) => obj.Type.GetHashCode(StringComparison.Ordinal);
}

using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

public sealed class CanonicalNodeTests
{
    [Fact]
    public void Of_BytesAndIdAreTheNodesCanonicalFormAndContentId()
    {
        var node = new Node
        {
            Parent = "sha256:" + new string('a', 64),
            Role = "assistant",
            Content = [new TextBlock("héllo \u2028 wörld")],
            Flags = [NodeFlags.Interrupted, NodeFlags.Hidden],
            Meta = new JsonObject { ["z"] = 1, ["a"] = "x" },
        };

        var canonical = CanonicalNode.Of(node);

        Assert.Same(node, canonical.Node);
        Assert.Equal(node.ToCanonicalBytes(), canonical.Bytes.ToArray());
        Assert.Equal(node.ComputeId(), canonical.Id);
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

public sealed class NodeTests
{
    private const string SomeParent = "sha256:0000000000000000000000000000000000000000000000000000000000000001";
    private const string OtherParent = "sha256:0000000000000000000000000000000000000000000000000000000000000002";

    [Fact]
    public void ComputeId_AnyNode_IsPrefixedSha256OfCanonicalJson()
    {
        var node = new Node { Parent = SomeParent, Role = "user", Content = [new TextBlock("hi")] };

        var canonical = CanonicalJson.Canonicalize(node.ToJson());
        var expected = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(canonical));

        Assert.Equal(canonical, node.ToCanonicalBytes());
        Assert.Equal(expected, node.ComputeId());
        Assert.True(ContentId.IsValid(node.ComputeId()));
    }

    [Fact]
    public void ComputeId_DifferentParent_ChangesId()
    {
        var a = new Node { Parent = SomeParent, Role = "user", Content = [new TextBlock("hi")] };
        var b = a with { Parent = OtherParent };
        var root = a with { Parent = null };

        Assert.NotEqual(a.ComputeId(), b.ComputeId());
        Assert.NotEqual(a.ComputeId(), root.ComputeId());
        Assert.NotEqual(b.ComputeId(), root.ComputeId());
    }

    [Fact]
    public void ComputeId_EqualContentAndParent_IsEqual()
    {
        var a = new Node { Parent = SomeParent, Role = "assistant", Content = [new TextBlock("same")], Created = "2024-01-01T00:00:00Z" };
        var b = new Node { Parent = SomeParent, Role = "assistant", Content = [new TextBlock("same")], Created = "2024-01-01T00:00:00Z" };

        Assert.Equal(a.ComputeId(), b.ComputeId());
    }

    [Theory]
    [InlineData("role")]
    [InlineData("text")]
    [InlineData("created")]
    [InlineData("flags")]
    [InlineData("meta")]
    public void ComputeId_AnyFieldChange_ChangesId(string field)
    {
        var a = new Node { Parent = SomeParent, Role = "user", Content = [new TextBlock("hi")], Created = "2024-01-01T00:00:00Z" };
        var b = field switch
        {
            "role" => a with { Role = "assistant" },
            "text" => a with { Content = [new TextBlock("hi ")] },
            "created" => a with { Created = "2024-01-01T00:00:01Z" },
            "flags" => a with { Flags = [NodeFlags.Hidden] },
            "meta" => a with { Meta = new JsonObject { ["source_id"] = "1" } },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.NotEqual(a.ComputeId(), b.ComputeId());
    }

    [Fact]
    public void ToJson_Root_WritesParentAsNull()
    {
        var json = Encoding.UTF8.GetString(new Node { Role = "system", Content = [new TextBlock("s")] }.ToCanonicalBytes());

        Assert.Equal("""{"content":[{"text":"s","type":"text"}],"parent":null,"role":"system","type":"amber.node/v1"}""", json);
    }

    [Fact]
    public void ToJson_NoContent_WritesEmptyArray()
    {
        var json = Encoding.UTF8.GetString(new Node { Parent = SomeParent, Role = "assistant" }.ToCanonicalBytes());

        Assert.Equal("""{"content":[],"parent":"sha256:0000000000000000000000000000000000000000000000000000000000000001","role":"assistant","type":"amber.node/v1"}""", json);
    }

    [Fact]
    public void ToJson_AbsentOptionalFields_AreOmittedNotNull()
    {
        var o = new Node { Parent = SomeParent, Role = "user", Content = [new TextBlock("hi")] }.ToJson();

        Assert.Equal(["content", "parent", "role", "type"], o.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ToJson_Flags_AreSortedAndDistinct()
    {
        var node = new Node { Role = "user", Flags = ["zeta", NodeFlags.Hidden, "Alpha", NodeFlags.Hidden, NodeFlags.Empty] };

        var flags = node.ToJson()["flags"]!.AsArray().Select(f => f!.GetValue<string>());

        Assert.Equal(["Alpha", "empty", "hidden", "zeta"], flags);
    }

    [Fact]
    public void ComputeId_FlagOrderAndRepeats_DoNotMatter()
    {
        var a = new Node { Role = "user", Flags = [NodeFlags.Hidden, NodeFlags.Empty] };
        var b = new Node { Role = "user", Flags = [NodeFlags.Empty, NodeFlags.Hidden, NodeFlags.Empty] };

        Assert.Equal(a.ComputeId(), b.ComputeId());
    }

    [Fact]
    public void ComputeId_ContentBlockOrder_Matters()
    {
        var a = new Node { Role = "user", Content = [new TextBlock("a"), new TextBlock("b")] };
        var b = new Node { Role = "user", Content = [new TextBlock("b"), new TextBlock("a")] };

        Assert.NotEqual(a.ComputeId(), b.ComputeId());
    }

    [Fact]
    public void FromJson_WrongType_ThrowsFormatException()
    {
        var o = new Node { Role = "user" }.ToJson();
        o["type"] = "amber.node/v2";

        Assert.Throws<FormatException>(() => Node.FromJson(o));
    }

    [Fact]
    public void FromJson_MissingContent_ThrowsFormatException()
    {
        var o = new Node { Role = "user" }.ToJson();
        o.Remove("content");

        Assert.Throws<FormatException>(() => Node.FromJson(o));
    }

    [Fact]
    public void FromJson_UnknownBlockType_ThrowsFormatException()
    {
        var o = new Node { Role = "user" }.ToJson();
        o["content"] = new JsonArray(new JsonObject { ["type"] = "hologram" });

        var e = Assert.Throws<FormatException>(() => Node.FromJson(o));
        Assert.Contains("hologram", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromCanonicalBytes_DuplicateMember_ThrowsCanonicalJsonException()
    {
        var bytes = """{"content":[],"parent":null,"role":"user","role":"assistant","type":"amber.node/v1"}"""u8.ToArray();

        Assert.Throws<CanonicalJsonException>(() => Node.FromCanonicalBytes(bytes));
    }

    [Fact]
    public void SearchText_MixedBlocks_JoinsSearchableText()
    {
        var node = new Node
        {
            Role = "assistant",
            Content = [new TextBlock("one"), new BlobBlock("image", SomeParent), new ToolCallBlock("c1", "lookup", null), new ThinkingBlock("")],
        };

        Assert.Equal("one\nlookup", node.SearchText);
    }
}

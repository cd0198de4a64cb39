using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

/// <summary>What <see cref="Node.FromStoredBytes"/> does with bytes that are not a stored node.</summary>
public sealed class StoredNodeReaderTests
{
    [Theory]
    [InlineData("", "invalid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("\"node\"", "not a JSON object")]
    [InlineData("""{"content":[],"role":"user","type":"amber.node/v1"} {}""", "invalid JSON")]
    [InlineData("""{"content":[],"role":"user","type":"amber.node/v1"}""" + "x", "invalid JSON")]
    [InlineData("""{"content":[],"role":"user","type":"amber.node/v1\""", "invalid JSON")]
    [InlineData("""{"content":[],"role":"user"}""", "type is not \"amber.node/v1\"")]
    [InlineData("""{"content":[],"role":"user","type":"amber.model/v1"}""", "type is not \"amber.node/v1\"")]
    [InlineData("""{"role":"user","type":"amber.node/v1"}""", "missing \"content\" array")]
    [InlineData("""{"content":{},"role":"user","type":"amber.node/v1"}""", "missing \"content\" array")]
    [InlineData("""{"content":[],"role":7,"type":"amber.node/v1"}""", "node: missing or non-string field \"role\"")]
    [InlineData("""{"content":[1],"role":"user","type":"amber.node/v1"}""", "a content block is not an object")]
    [InlineData("""{"content":[{"text":"x"}],"role":"user","type":"amber.node/v1"}""", "content block: missing or non-string field \"type\"")]
    [InlineData("""{"content":[{"type":"video"}],"role":"user","type":"amber.node/v1"}""", "unknown type \"video\"")]
    [InlineData("""{"content":[{"type":"text"}],"role":"user","type":"amber.node/v1"}""", "text block: missing or non-string field \"text\"")]
    [InlineData("""{"content":[{"content":[2],"type":"tool_result"}],"role":"user","type":"amber.node/v1"}""", "tool result content: a block is not an object")]
    [InlineData("""{"content":[],"flags":[null],"role":"user","type":"amber.node/v1"}""", "a flag is null")]
    [InlineData("""{"content":[],"flags":[3],"role":"user","type":"amber.node/v1"}""", "a flag is not a string")]
    [InlineData("""{"content":[],"generation":{"seed":1},"role":"user","type":"amber.node/v1"}""", "generation record: missing or non-string field \"model\"")]
    [InlineData("""{"content":[],"generation":{"model":"m","prompt_token_ids":[1,"2"]},"role":"user","type":"amber.node/v1"}""", "field \"prompt_token_ids\"[1] is not an integer")]
    public void FromStoredBytes_NotAStoredNode_ThrowsFormatExceptionNamingTheFault(string json, string fault)
    {
        var e = Assert.Throws<FormatException>(() => Node.FromStoredBytes(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(fault, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromStoredBytes_InvalidUtf8InAString_ThrowsFormatException()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"content":[{"text":"ab","type":"text"}],"role":"user","type":"amber.node/v1"}""");
        bytes[Array.IndexOf(bytes, (byte)'a')] = 0xFF;

        Assert.Throws<FormatException>(() => Node.FromStoredBytes(bytes));
    }

    [Fact]
    public void FromStoredBytes_MetaNestedDeeperThanTheDefaultLimit_ReadsBack()
    {
        // Canonical JSON accepts nesting to depth 1024, so whatever was stored must read back.
        JsonNode inner = new JsonObject { ["leaf"] = true };
        for (var i = 0; i < 200; i++)
        {
            inner = new JsonObject { ["n"] = inner };
        }

        var node = new Node { Role = "user", Content = [new TextBlock("deep")], Meta = new JsonObject { ["deep"] = inner } };
        var bytes = node.ToCanonicalBytes();

        Assert.Equal(bytes, Node.FromStoredBytes(bytes).ToCanonicalBytes());
    }

    [Fact]
    public void FromStoredBytes_UnknownMembersAndWrongKinds_ReadLikeFromJson()
    {
        const string json = """
            {"content":[{"content":{"not":"an array"},"extra":[1,{"a":2}],"type":"tool_result"},{"text":5,"type":"thinking"},{"kind":"image","blob":"b","size":"12","type":"blob"},{"blob":"b","kind":"k","size":12.75,"type":"blob"}],
             "created":5,"flags":"hidden","generation":{"model":"m","parameters":[1],"seed":2.5,"timings":[],"usage":null},"meta":"text","parent":null,"role":"user","type":"amber.node/v1","zzz":{"deep":[[[]]]}}
            """;
        var bytes = Encoding.UTF8.GetBytes(json);

        var stored = Node.FromStoredBytes(bytes);

        StoredNodeReaderProperties.AssertSame(Node.FromJson(JsonNode.Parse(bytes)!.AsObject()), stored);
        Assert.Empty(Assert.IsType<ToolResultBlock>(stored.Content[0]).Content);
        Assert.Equal(string.Empty, Assert.IsType<ThinkingBlock>(stored.Content[1]).Text);
        Assert.Null(Assert.IsType<BlobBlock>(stored.Content[2]).Size);
        Assert.Equal(12, Assert.IsType<BlobBlock>(stored.Content[3]).Size);
        Assert.Equal(2, stored.Generation!.Seed);
        Assert.Null(stored.Generation.Parameters);
        Assert.Null(stored.Created);
        Assert.Empty(stored.Flags);
        Assert.Null(stored.Meta);
    }

    [Fact]
    public void FromStoredBytes_Meta_IsParsedOnceAndTheSameObjectForEveryReaderAndCopy()
    {
        var node = new Node { Role = "user", Content = [new TextBlock("hi")], Meta = new JsonObject { ["source_id"] = "m1", ["n"] = new JsonArray(1, 2) } };
        var stored = Node.FromStoredBytes(node.ToCanonicalBytes());
        var copy = stored with { Role = "assistant" };
        var hash = stored.GetHashCode();

        var metas = new JsonObject?[64];
        Parallel.For(0, metas.Length, i => metas[i] = (i % 2 == 0 ? stored : copy).Meta);

        Assert.All(metas, m => Assert.Same(metas[0], m));
        Assert.Equal("""{"n":[1,2],"source_id":"m1"}""", metas[0]!.ToJsonString());
        Assert.Equal(hash, stored.GetHashCode());
        Assert.Equal(stored, stored with { });
        Assert.Null((stored with { Meta = null }).Meta);
        Assert.Equal(node.ToCanonicalBytes(), stored.ToCanonicalBytes());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(5000)]
    public void FromStoredBytes_LongEscapedStrings_MatchFromCanonicalBytes(int repeat)
    {
        // Line breaks, quotes, controls and a surrogate pair, escaped in the JSON text: 31 escaped bytes a repeat, so 8 fit the 256-char stack buffer and 9 do not.
        var text = string.Concat(Enumerable.Repeat("line \"q\"\n\t\u0001 é 😂\u2028", repeat));
        var node = new Node
        {
            Role = "user\n" + text,
            Content = [new TextBlock(text), new ThinkingBlock(text, text), new ToolResultBlock(text, [new TextBlock(text)])],
            Flags = [text],
            Meta = new JsonObject { [text] = text },
        };
        var bytes = node.ToCanonicalBytes();

        var stored = Node.FromStoredBytes(bytes);

        Assert.Equal(text, Assert.IsType<TextBlock>(stored.Content[0]).Text);
        Assert.Equal(bytes, stored.ToCanonicalBytes());
        StoredNodeReaderProperties.AssertSame(Node.FromCanonicalBytes(bytes), stored);
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

/// <summary>ToJson → canonical bytes → FromCanonicalBytes → ToJson must give the same bytes, for every block kind.</summary>
public sealed class NodeRoundTripTests
{
    private const string Parent = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string Blob = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    public static TheoryData<string> BlockCases() => new(Blocks.Keys.Order(StringComparer.Ordinal));

    private static Dictionary<string, ContentBlock> Blocks => new(StringComparer.Ordinal)
    {
        ["text"] = new TextBlock("Hello"),
        ["text escapes and unicode"] = new TextBlock("tab\tquote\"back\\slash\u0001 é 😂 \u2028"),
        ["text empty"] = new TextBlock(string.Empty),
        ["blob full"] = new BlobBlock("image", Blob, "image/png", "cat.png", 12_345),
        ["blob minimal"] = new BlobBlock("attachment", Blob),
        ["tool_call object arguments"] = new ToolCallBlock("call_1", "get_weather", new JsonObject { ["city"] = "Paris", ["days"] = 3, ["units"] = new JsonArray("c", "f") }),
        ["tool_call string arguments"] = new ToolCallBlock(null, "search", JsonValue.Create("{\"q\": \"amber\"}")),
        ["tool_call no arguments"] = new ToolCallBlock("call_2", "now", null),
        ["tool_result nested"] = new ToolResultBlock("call_1", [new TextBlock("18 °C"), new BlobBlock("image", Blob, "image/jpeg")], IsError: false),
        ["tool_result error"] = new ToolResultBlock(null, [new TextBlock("timeout")], IsError: true),
        ["tool_result empty"] = new ToolResultBlock("call_3", []),
        ["thinking"] = new ThinkingBlock("Let me think.", "sig-abc"),
        ["thinking redacted"] = new ThinkingBlock(string.Empty, "enc-xyz", Redacted: true),
        ["opaque object"] = new OpaqueBlock("openai", "web_search_call", new JsonObject { ["id"] = "ws_1", ["status"] = "completed", ["score"] = 0.25 }),
        ["opaque scalar"] = new OpaqueBlock("anthropic", "server_tool_use", JsonValue.Create(42)),
        ["opaque no value"] = new OpaqueBlock("anthropic", "container_upload", null),
    };

    [Theory]
    [MemberData(nameof(BlockCases))]
    public void FromCanonicalBytes_NodeWithBlock_ReproducesCanonicalBytes(string name)
    {
        var node = new Node { Parent = Parent, Role = "assistant", Content = [Blocks[name]], Created = "2024-05-01T12:00:00Z" };

        var bytes = node.ToCanonicalBytes();
        var back = Node.FromCanonicalBytes(bytes);

        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(back.ToCanonicalBytes()));
        Assert.Equal(node.ComputeId(), back.ComputeId());
        Assert.Equal(Blocks[name].GetType(), Assert.Single(back.Content).GetType());
    }

    [Theory]
    [MemberData(nameof(BlockCases))]
    public void FromStoredBytes_NodeWithBlock_MatchesFromCanonicalBytes(string name)
    {
        var node = new Node { Parent = Parent, Role = "assistant", Content = [Blocks[name]], Created = "2024-05-01T12:00:00Z" };
        var bytes = node.ToCanonicalBytes();

        var stored = Node.FromStoredBytes(bytes);

        Assert.Equal(bytes, stored.ToCanonicalBytes());
        StoredNodeReaderProperties.AssertSame(Node.FromCanonicalBytes(bytes), stored);
        Assert.Equal(Blocks[name], Assert.Single(stored.Content), BlockComparer.Instance);
    }

    [Theory]
    [MemberData(nameof(BlockCases))]
    public void ToJson_Block_WritesItsTypeName(string name)
    {
        var block = Blocks[name];

        Assert.Equal(block.Type, block.ToJson()["type"]!.GetValue<string>());
    }

    [Fact]
    public void ToJson_Blocks_WriteDocumentedFieldNames()
    {
        static string Canon(ContentBlock b) => Encoding.UTF8.GetString(CanonicalJson.Canonicalize(b.ToJson()));

        Assert.Equal("""{"text":"Hello","type":"text"}""", Canon(Blocks["text"]));
        Assert.Equal("""{"blob":"sha256:2222222222222222222222222222222222222222222222222222222222222222","kind":"image","media_type":"image/png","name":"cat.png","size":12345,"type":"blob"}""", Canon(Blocks["blob full"]));
        Assert.Equal("""{"arguments":{"city":"Paris","days":3,"units":["c","f"]},"id":"call_1","name":"get_weather","type":"tool_call"}""", Canon(Blocks["tool_call object arguments"]));
        Assert.Equal("""{"arguments":"{\"q\": \"amber\"}","name":"search","type":"tool_call"}""", Canon(Blocks["tool_call string arguments"]));
        Assert.Equal("""{"content":[{"text":"timeout","type":"text"}],"is_error":true,"type":"tool_result"}""", Canon(Blocks["tool_result error"]));
        Assert.Equal("""{"call_id":"call_3","content":[],"type":"tool_result"}""", Canon(Blocks["tool_result empty"]));
        Assert.Equal("""{"signature":"sig-abc","text":"Let me think.","type":"thinking"}""", Canon(Blocks["thinking"]));
        Assert.Equal("""{"redacted":true,"signature":"enc-xyz","text":"","type":"thinking"}""", Canon(Blocks["thinking redacted"]));
        Assert.Equal("""{"item_type":"web_search_call","provider":"openai","type":"opaque","value":{"id":"ws_1","score":0.25,"status":"completed"}}""", Canon(Blocks["opaque object"]));
        Assert.Equal("""{"item_type":"container_upload","provider":"anthropic","type":"opaque"}""", Canon(Blocks["opaque no value"]));
    }

    [Fact]
    public void FromCanonicalBytes_NodeWithEveryBlockKind_ReproducesCanonicalBytes()
    {
        var node = new Node
        {
            Parent = Parent,
            Role = "assistant",
            Content = Blocks.Values.ToList(),
            Flags = [NodeFlags.Interrupted],
            Meta = new JsonObject { ["source_id"] = "m1", ["author"] = new JsonObject { ["name"] = "x" } },
        };

        var bytes = node.ToCanonicalBytes();

        Assert.Equal(bytes, Node.FromCanonicalBytes(bytes).ToCanonicalBytes());
    }

    [Fact]
    public void FromStoredBytes_NodeWithEveryBlockKindGenerationFlagsAndMeta_MatchesFromCanonicalBytes()
    {
        var node = new Node
        {
            Parent = Parent,
            Role = "assistant",
            Content = Blocks.Values.ToList(),
            Created = "2024-05-01T12:00:00Z",
            Generation = new GenerationRecord
            {
                Model = Blob,
                Parameters = new JsonObject { ["temperature"] = 0.8, ["stop"] = new JsonArray("</s>") },
                Seed = -42,
                Usage = new JsonObject { ["output_tokens"] = 5 },
                FinishReason = "stop",
                TimeToFirstTokenMs = 35,
                TotalMs = 910,
                PromptTokenIds = [1, -2, int.MaxValue],
                OutputTokenIds = [],
                Schedule = new JsonObject { ["samplers"] = new JsonArray("greedy") },
                State = Blob,
            },
            Flags = [NodeFlags.Interrupted, NodeFlags.Empty],
            Meta = new JsonObject { ["source_id"] = "m1", ["author"] = new JsonObject { ["name"] = "x", ["tags"] = new JsonArray(1, 2.5, null, true) } },
        };
        var bytes = node.ToCanonicalBytes();

        var stored = Node.FromStoredBytes(bytes);

        Assert.Equal(bytes, stored.ToCanonicalBytes());
        StoredNodeReaderProperties.AssertSame(Node.FromCanonicalBytes(bytes), stored);
        Assert.Equal(node.Generation.PromptTokenIds, stored.Generation!.PromptTokenIds);
        Assert.Equal("""{"author":{"name":"x","tags":[1,2.5,null,true]},"source_id":"m1"}""", stored.Meta!.ToJsonString());
    }

    [Fact]
    public void FromCanonicalBytes_FullGenerationRecord_ReproducesCanonicalBytesAndFields()
    {
        var generation = new GenerationRecord
        {
            Model = "sha256:3333333333333333333333333333333333333333333333333333333333333333",
            Parameters = new JsonObject { ["temperature"] = 0.8, ["top_p"] = 0.95, ["top_k"] = 40, ["max_tokens"] = 512, ["stop"] = new JsonArray("</s>") },
            Seed = 1234567,
            Usage = new JsonObject { ["input_tokens"] = 12, ["output_tokens"] = 5, ["cached_tokens"] = 0 },
            FinishReason = "length",
            TimeToFirstTokenMs = 35,
            TotalMs = 910,
            PromptTokenIds = [1, 15043, 29892, 0, 2147483647],
            OutputTokenIds = [450, 7483, 338, 2],
            Schedule = new JsonObject { ["samplers"] = new JsonArray("top_k", "top_p", "temp"), ["min_keep"] = 1 },
            State = "sha256:4444444444444444444444444444444444444444444444444444444444444444",
        };
        var node = new Node { Parent = Parent, Role = "assistant", Content = [new TextBlock("The answer")], Generation = generation };

        var bytes = node.ToCanonicalBytes();
        var back = Node.FromCanonicalBytes(bytes);

        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(back.ToCanonicalBytes()));
        var g = back.Generation!;
        Assert.Equal(generation.Model, g.Model);
        Assert.Equal(generation.Seed, g.Seed);
        Assert.Equal(generation.FinishReason, g.FinishReason);
        Assert.Equal(generation.TimeToFirstTokenMs, g.TimeToFirstTokenMs);
        Assert.Equal(generation.TotalMs, g.TotalMs);
        Assert.Equal(generation.PromptTokenIds, g.PromptTokenIds);
        Assert.Equal(generation.OutputTokenIds, g.OutputTokenIds);
        Assert.Equal(generation.State, g.State);
        Assert.True(JsonNode.DeepEquals(generation.Parameters, g.Parameters));
        Assert.True(JsonNode.DeepEquals(generation.Usage, g.Usage));
        Assert.True(JsonNode.DeepEquals(generation.Schedule, g.Schedule));
    }

    [Fact]
    public void ToJson_FullGenerationRecord_WritesDocumentedFieldNames()
    {
        var generation = new GenerationRecord
        {
            Model = "sha256:3333333333333333333333333333333333333333333333333333333333333333",
            Parameters = new JsonObject { ["temperature"] = 0 },
            Seed = 7,
            Usage = new JsonObject { ["output_tokens"] = 2 },
            FinishReason = "stop",
            TimeToFirstTokenMs = 1,
            TotalMs = 2,
            PromptTokenIds = [1],
            OutputTokenIds = [2, 3],
            Schedule = new JsonObject { ["samplers"] = new JsonArray("greedy") },
            State = "sha256:4444444444444444444444444444444444444444444444444444444444444444",
        };

        Assert.Equal(
            """{"finish_reason":"stop","model":"sha256:3333333333333333333333333333333333333333333333333333333333333333","output_token_ids":[2,3],"parameters":{"temperature":0},"prompt_token_ids":[1],"schedule":{"samplers":["greedy"]},"seed":7,"state":"sha256:4444444444444444444444444444444444444444444444444444444444444444","timings":{"first_token_ms":1,"total_ms":2},"usage":{"output_tokens":2}}""",
            Encoding.UTF8.GetString(CanonicalJson.Canonicalize(generation.ToJson())));
    }

    [Fact]
    public void ToJson_MinimalGenerationRecord_HasOnlyModel()
    {
        var generation = new GenerationRecord { Model = "sha256:3333333333333333333333333333333333333333333333333333333333333333" };

        Assert.Equal(
            """{"model":"sha256:3333333333333333333333333333333333333333333333333333333333333333"}""",
            Encoding.UTF8.GetString(CanonicalJson.Canonicalize(generation.ToJson())));
    }

    [Fact]
    public void FromJson_PartialTimings_KeepsOnlyTheGivenOne()
    {
        var generation = new GenerationRecord { Model = Blob, TotalMs = 99 };
        var node = new Node { Role = "assistant", Generation = generation };

        var back = Node.FromCanonicalBytes(node.ToCanonicalBytes()).Generation!;

        Assert.Null(back.TimeToFirstTokenMs);
        Assert.Equal(99, back.TotalMs);
        Assert.Equal("""{"total_ms":99}""", back.ToJson()["timings"]!.ToJsonString());
    }
}

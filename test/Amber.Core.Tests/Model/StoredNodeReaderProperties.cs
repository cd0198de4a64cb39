using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Core.Tests.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Core.Tests.Model;

/// <summary>
/// <see cref="Node.FromStoredBytes"/> (one Utf8JsonReader pass) must give exactly the node the strict DOM path gives:
/// for random nodes, and for random damage to their JSON (unknown members, members of the wrong kind, missing members).
/// </summary>
public sealed class StoredNodeReaderProperties
{
    // Every member name any record of a node reads, so mutations hit the reader's branches.
    private static readonly string[] Names =
    [
        "type", "parent", "role", "content", "created", "generation", "flags", "meta", "text", "kind", "blob", "media_type",
        "name", "size", "id", "arguments", "call_id", "is_error", "signature", "redacted", "provider", "item_type", "value",
        "model", "parameters", "seed", "usage", "finish_reason", "timings", "first_token_ms", "total_ms", "prompt_token_ids",
        "output_token_ids", "schedule", "state", "unknown",
    ];

    private static readonly Gen<JsonNode?> OddValue = Gen.OneOf(
        JsonGenerators.Value,
        Gen.Elements<Func<JsonNode?>>(
            () => JsonValue.Create(1.5), () => JsonValue.Create(-2.5e300), () => JsonValue.Create(9.3e18), () => JsonValue.Create(true),
            () => JsonValue.Create("text"), () => new JsonArray(1, "x", null), () => new JsonArray(JsonValue.Create(7), JsonValue.Create(2.9)),
            () => new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "t" }), () => new JsonObject()).Select(f => f()));

    private static readonly Gen<(int Target, string Name, bool Remove, JsonNode? Value)[]> Mutations =
        from count in Gen.Choose(1, 3)
        from mutations in Gen.ArrayOf(
            from target in Gen.Choose(0, 1000)
            from name in Gen.Elements(Names)
            from remove in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
            from value in OddValue
            select (target, name, remove, value),
            count)
        select mutations;

    [Property(MaxTest = 500)]
    public Property FromStoredBytes_RandomNode_MatchesFromCanonicalBytes()
        => Prop.ForAll(NodeGenerators.Node.ToArbitrary(), node =>
        {
            var bytes = node.ToCanonicalBytes();

            var strict = Node.FromCanonicalBytes(bytes);
            var stored = Node.FromStoredBytes(bytes);

            Assert.Equal(bytes, stored.ToCanonicalBytes());
            AssertSame(strict, stored);
        });

    [Property(MaxTest = 1000)]
    public Property FromStoredBytes_DamagedNodeJson_ReadsOrFailsLikeFromJson()
        => Prop.ForAll(NodeGenerators.Node.ToArbitrary(), Mutations.ToArbitrary(), (node, mutations) =>
        {
            var json = node.ToJson();
            var targets = ModelObjects(json).ToList();
            foreach (var (target, name, remove, value) in mutations)
            {
                var o = targets[target % targets.Count];
                if (remove)
                {
                    o.Remove(name);
                }
                else
                {
                    o[name] = value?.DeepClone();
                }
            }

            var bytes = CanonicalJson.Canonicalize(json);
            Node? expected;
            try
            {
                expected = Node.FromJson(JsonNode.Parse(bytes)!.AsObject());
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                expected = null;
            }

            if (expected is null)
            {
                Assert.Throws<FormatException>(() => Node.FromStoredBytes(bytes));
            }
            else
            {
                AssertSame(expected, Node.FromStoredBytes(bytes));
            }
        });

    /// <summary>Same canonical bytes, same flags in the same order, same CLR types of blocks, same meta JSON.</summary>
    internal static void AssertSame(Node expected, Node actual)
    {
        Assert.Equal(Encoding.UTF8.GetString(expected.ToCanonicalBytes()), Encoding.UTF8.GetString(actual.ToCanonicalBytes()));
        Assert.Equal(expected.Flags, actual.Flags);
        Assert.Equal(Shape(expected.Content), Shape(actual.Content));
        Assert.Equal(expected.Meta is null, actual.Meta is null);
        Assert.True(JsonNode.DeepEquals(expected.Meta, actual.Meta));
        Assert.Equal(expected.Generation?.PromptTokenIds, actual.Generation?.PromptTokenIds);
        Assert.Equal(expected.Generation?.OutputTokenIds, actual.Generation?.OutputTokenIds);
    }

    private static string Shape(IEnumerable<ContentBlock> blocks)
        => string.Join(",", blocks.Select(b => b is ToolResultBlock r ? $"{b.GetType().Name}[{Shape(r.Content)}]" : b.GetType().Name));

    /// <summary>The node object and every object the reader interprets: generation, timings, content blocks at any depth.</summary>
    private static IEnumerable<JsonObject> ModelObjects(JsonObject node)
    {
        yield return node;
        if (node["generation"] is JsonObject g)
        {
            yield return g;
            if (g["timings"] is JsonObject t)
            {
                yield return t;
            }
        }

        var blocks = new Stack<JsonNode?>((node["content"] as JsonArray ?? []).Reverse());
        while (blocks.Count > 0)
        {
            if (blocks.Pop() is JsonObject b)
            {
                yield return b;
                foreach (var inner in (b["content"] as JsonArray ?? []).Reverse())
                {
                    blocks.Push(inner);
                }
            }
        }
    }
}

using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Core.Tests.Json;
using FsCheck;
using FsCheck.Fluent;

namespace Amber.Core.Tests.Model;

/// <summary>FsCheck generators for nodes: every content block kind (tool results nested), generation records, flags and meta.</summary>
internal static class NodeGenerators
{
    private static readonly Gen<string> Id = Gen.Choose(0, int.MaxValue).Select(i => "sha256:" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture));

    private static Gen<string?> Optional(Gen<string> gen) => Gen.Frequency((1, Gen.Constant((string?)null)), (2, gen.Select(s => (string?)s)));

    private static Gen<long?> OptionalLong { get; } = Gen.Frequency(
        (1, Gen.Constant((long?)null)),
        (2, Gen.Choose(int.MinValue, int.MaxValue).Select(i => (long?)i)),
        (1, from high in Gen.Choose(int.MinValue, int.MaxValue)
            from low in Gen.Choose(0, int.MaxValue)
            select (long?)(((long)high << 31) | (uint)low)));

    private static Gen<JsonObject?> OptionalObject { get; } = Gen.Frequency((1, Gen.Constant((JsonObject?)null)), (2, JsonGenerators.Object.Select(o => (JsonObject?)o)));

    private static Gen<int[]?> OptionalInts { get; } = Gen.Frequency(
        (1, Gen.Constant((int[]?)null)),
        (2, Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(Gen.Choose(int.MinValue, int.MaxValue), n)).Select(a => (int[]?)a)));

    private static Gen<ContentBlock> Leaf { get; } = Gen.OneOf(
        JsonGenerators.Text.Select(t => (ContentBlock)new TextBlock(t)),
        from kind in JsonGenerators.Text
        from blob in Id
        from mediaType in Optional(JsonGenerators.Text)
        from name in Optional(JsonGenerators.Text)
        from size in OptionalLong
        select (ContentBlock)new BlobBlock(kind, blob, mediaType, name, size),
        from id in Optional(JsonGenerators.Text)
        from name in JsonGenerators.Text
        from arguments in JsonGenerators.Value
        select (ContentBlock)new ToolCallBlock(id, name, arguments),
        from text in JsonGenerators.Text
        from signature in Optional(JsonGenerators.Text)
        from redacted in Gen.Elements(true, false)
        select (ContentBlock)new ThinkingBlock(text, signature, redacted),
        from provider in JsonGenerators.Text
        from itemType in JsonGenerators.Text
        from value in JsonGenerators.Value
        select (ContentBlock)new OpaqueBlock(provider, itemType, value));

    /// <summary>Any content block, tool results holding up to two levels of blocks.</summary>
    public static Gen<ContentBlock> Block { get; } = BlockOfDepth(2);

    private static Gen<ContentBlock> BlockOfDepth(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency(
            (5, Leaf),
            (1, from callId in Optional(JsonGenerators.Text)
                from count in Gen.Choose(0, 3)
                from content in Gen.ListOf(BlockOfDepth(depth - 1), count)
                from isError in Gen.Elements(true, false)
                select (ContentBlock)new ToolResultBlock(callId, content.ToList(), isError)));

    public static Gen<GenerationRecord> Generation { get; } =
        from model in Id
        from parameters in OptionalObject
        from seed in OptionalLong
        from usage in OptionalObject
        from finishReason in Optional(JsonGenerators.Text)
        from firstToken in OptionalLong
        from total in OptionalLong
        from prompt in OptionalInts
        from output in OptionalInts
        from schedule in OptionalObject
        from state in Optional(Id)
        select new GenerationRecord
        {
            Model = model,
            Parameters = parameters,
            Seed = seed,
            Usage = usage,
            FinishReason = finishReason,
            TimeToFirstTokenMs = firstToken,
            TotalMs = total,
            PromptTokenIds = prompt,
            OutputTokenIds = output,
            Schedule = schedule,
            State = state,
        };

    public static Gen<Node> Node { get; } =
        from parent in Optional(Id)
        from role in JsonGenerators.Text
        from blockCount in Gen.Choose(0, 4)
        from content in Gen.ListOf(Block, blockCount)
        from created in Optional(JsonGenerators.Text)
        from generation in Gen.Frequency((1, Gen.Constant((GenerationRecord?)null)), (1, Generation.Select(g => (GenerationRecord?)g)))
        from flagCount in Gen.Choose(0, 3)
        from flags in Gen.ListOf(JsonGenerators.Text, flagCount)
        from meta in OptionalObject
        select new Node
        {
            Parent = parent,
            Role = role,
            Content = content.ToList(),
            Created = created,
            Generation = generation,
            Flags = flags.ToList(),
            Meta = meta,
        };
}

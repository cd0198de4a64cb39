using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;

namespace Amber.Import.Formats.Claude;

/// <summary>
/// Maps a Claude message's content blocks, attachments and files to content blocks. What a block holds beyond
/// its modelled fields (per-block timestamps, flags, citations, display content, …) is returned as its
/// "residual", which the node keeps in its meta, so nothing of the block is lost.
/// </summary>
internal static class ClaudeContent
{
    public const string Provider = "claude";

    /// <summary>Extracted attachment text is stored as UTF-8 text.</summary>
    public const string ExtractedMediaType = "text/plain; charset=utf-8";

    /// <summary>One content block; <paramref name="residual"/> is what it holds beyond the block returned (null if nothing).</summary>
    /// <summary>
    /// Maps a message's content blocks into <paramref name="content"/>; the members each block's mapping did not take
    /// (its residual) go to <c>meta.blocks</c>, aligned by index, when there are any.
    /// </summary>
    /// <param name="fail">Makes the error for block <c>i</c> that is not a JSON object.</param>
    public static void Blocks(JsonArray blocks, List<ContentBlock> content, JsonObject meta, Func<int, Exception> fail)
    {
        JsonArray? residuals = null;
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i] as JsonObject ?? throw fail(i);
            content.Add(Block(block, out var residual));
            if (residual is not null)
            {
                residuals ??= new JsonArray(Enumerable.Range(0, blocks.Count).Select(_ => (JsonNode?)null).ToArray());
                residuals[i] = residual;
            }
        }

        if (residuals is not null)
        {
            meta["blocks"] = residuals;
        }
    }

    public static ContentBlock Block(JsonObject block, out JsonObject? residual)
    {
        var type = String(block, "type");
        switch (type)
        {
            case "text" when String(block, "text") is { } text:
                residual = Rest(block, "type", "text");
                return new TextBlock(text);

            case "thinking" when String(block, "thinking") is { } thinking:
                {
                    var signature = String(block, "signature");
                    residual = signature is null ? Rest(block, "type", "thinking") : Rest(block, "type", "thinking", "signature");
                    return new ThinkingBlock(thinking, signature);
                }

            case "tool_use" when String(block, "name") is { } name:
                {
                    var id = String(block, "id");
                    residual = id is null ? Rest(block, "type", "name", "input") : Rest(block, "type", "id", "name", "input");
                    return new ToolCallBlock(id, name, block["input"]?.DeepClone());
                }

            case "tool_result" when block["content"] is null or JsonArray || String(block, "content") is not null:
                return ToolResult(block, out residual);

            default:
                // token_budget and any kind not modelled: the whole block, verbatim.
                residual = null;
                return new OpaqueBlock(Provider, type ?? "unknown", block.DeepClone());
        }
    }

    private static ToolResultBlock ToolResult(JsonObject block, out JsonObject? residual)
    {
        var items = new List<ContentBlock>();
        JsonArray? itemResiduals = null;
        switch (block["content"])
        {
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    JsonObject? itemResidual = null;
                    if (array[i] is JsonObject item && String(item, "type") == "text" && String(item, "text") is { } text)
                    {
                        items.Add(new TextBlock(text));
                        itemResidual = Rest(item, "type", "text");
                    }
                    else
                    {
                        var itemType = array[i] is JsonObject o ? String(o, "type") : null;
                        items.Add(new OpaqueBlock(Provider, itemType ?? "unknown", array[i]?.DeepClone()));
                    }

                    if (itemResidual is not null)
                    {
                        itemResiduals ??= new JsonArray(Enumerable.Range(0, array.Count).Select(_ => (JsonNode?)null).ToArray());
                        itemResiduals[i] = itemResidual;
                    }
                }

                break;
            case JsonValue value when value.TryGetValue(out string? text):
                items.Add(new TextBlock(text));
                break;
        }

        var callId = String(block, "tool_use_id");
        var isError = block["is_error"] is JsonValue e && e.TryGetValue(out bool b) && b;
        var consumed = new List<string> { "type", "content" };
        if (callId is not null)
        {
            consumed.Add("tool_use_id");
        }

        if (block["is_error"] is JsonValue ev && ev.TryGetValue(out bool _))
        {
            consumed.Add("is_error");
        }

        residual = Rest(block, [.. consumed]);
        if (itemResiduals is not null)
        {
            residual ??= [];
            residual["content"] = itemResiduals;
        }

        return new ToolResultBlock(callId, items, isError);
    }

    /// <summary>
    /// An attachment or a files[] entry. With extracted text, a blob block (the text is added to
    /// <paramref name="blobs"/>) and its metadata in <paramref name="metadata"/>; without, the entry verbatim.
    /// </summary>
    public static ContentBlock File(JsonNode? entry, string itemType, List<ReadOnlyMemory<byte>> blobs, JsonArray metadata)
    {
        if (entry is JsonObject o && String(o, "extracted_content") is { } extracted)
        {
            var bytes = Encoding.UTF8.GetBytes(extracted);
            var id = ContentId.Of(bytes);
            blobs.Add(bytes);
            var meta = Rest(o, "extracted_content") ?? [];
            meta["blob"] = id;
            metadata.Add(meta);
            return new BlobBlock("attachment", id, ExtractedMediaType, String(o, "file_name"), bytes.Length);
        }

        return new OpaqueBlock(Provider, itemType, entry?.DeepClone());
    }

    public static string? String(JsonObject o, string name)
        => o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>A copy of <paramref name="o"/> without <paramref name="consumed"/>; null if nothing is left.</summary>
    private static JsonObject? Rest(JsonObject o, params string[] consumed)
    {
        JsonObject? rest = null;
        foreach (var (key, value) in o)
        {
            if (!consumed.Contains(key, StringComparer.Ordinal))
            {
                rest ??= [];
                rest[key] = value?.DeepClone();
            }
        }

        return rest;
    }
}

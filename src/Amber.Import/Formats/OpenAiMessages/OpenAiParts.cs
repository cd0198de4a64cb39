using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Formats.OpenAiMessages;

/// <summary>
/// Maps typed content parts to content blocks: text, reasoning, tool calls and results (the dataset
/// {"type", "value"} form and the OpenAI/Anthropic API forms), and inline images and audio (stored as
/// blobs). A part whose fields are not all understood is kept whole in an opaque block.
/// </summary>
internal sealed class OpenAiParts
{
    public const string Provider = "openai-jsonl";

    private readonly List<ReadOnlyMemory<byte>> blobs = [];
    private readonly HashSet<string> blobIds = new(StringComparer.Ordinal);

    /// <summary>The bytes of inline images and audio met so far.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Blobs => blobs;

    /// <summary>A message's "content": a string, null, or a list of parts.</summary>
    public IReadOnlyList<ContentBlock> Content(JsonNode? content) => content switch
    {
        null => [],
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is { Length: > 0 } s ? [new TextBlock(s)] : [],
        JsonArray parts => parts.SelectMany(Part).ToList(),
        _ => [new OpaqueBlock(Provider, "content", content.DeepClone())],
    };

    public IReadOnlyList<ContentBlock> Part(JsonNode? part)
    {
        if (part is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return [new TextBlock(v.GetValue<string>())];
        }

        if (part is not JsonObject p)
        {
            return [Opaque("part", part)];
        }

        var type = DatasetRecords.String(p, "type");
        return type switch
        {
            "text" or "input_text" or "output_text" => TextPart(p),
            "reasoning" or "thinking" => Thinking(p),
            "redacted_thinking" when Only(p, "type", "data") && DatasetRecords.String(p, "data") is { } data => [new ThinkingBlock(string.Empty, data, Redacted: true)],
            "tool_call" or "function_call" or "tool_use" => Call(p, type),
            "tool_result" or "tool_response" or "function_call_output" => Result(p, type),
            "image_url" or "input_image" => ImageUrl(p, type),
            "image" when p["source"] is JsonObject source && Only(p, "type", "source") => Base64Source(source, "image") ?? [Opaque(type, p)],
            "input_audio" when p["input_audio"] is JsonObject audio && Only(p, "type", "input_audio") => Audio(audio) ?? [Opaque(type, p)],
            _ => [Opaque(type ?? "part", p)],
        };
    }

    private List<ContentBlock> TextPart(JsonObject p)
    {
        var key = p.ContainsKey("text") ? "text" : "value";
        if (DatasetRecords.String(p, key) is not { } text)
        {
            return [Opaque(DatasetRecords.String(p, "type")!, p)];
        }

        var blocks = new List<ContentBlock>();
        if (text.Length > 0)
        {
            blocks.Add(new TextBlock(text));
        }

        // Fields beside the text (annotations, cache_control, …) are kept next to it.
        if (DatasetRecords.Rest(p, "type", key) is { } rest)
        {
            blocks.Add(new OpaqueBlock(Provider, "text_fields", rest));
        }

        return blocks;
    }

    private List<ContentBlock> Thinking(JsonObject p)
    {
        var key = new[] { "value", "text", "thinking", "reasoning" }.FirstOrDefault(p.ContainsKey);
        if (key is not null && DatasetRecords.String(p, key) is { } text && Only(p, "type", key, "signature")
            && (p["signature"] is null || DatasetRecords.String(p, "signature") is not null))
        {
            return [new ThinkingBlock(text, DatasetRecords.String(p, "signature"))];
        }

        return [Opaque(DatasetRecords.String(p, "type")!, p)];
    }

    private List<ContentBlock> Call(JsonObject p, string type)
    {
        if (Only(p, "type", "value") && DatasetRecords.String(p, "value") is { } text)
        {
            return [.. ToolCallText.Parse(text, Provider, type)];
        }

        if (type == "function_call" && Only(p, "type", "call_id", "name", "arguments") && DatasetRecords.String(p, "name") is { } name)
        {
            return [new ToolCallBlock(DatasetRecords.String(p, "call_id"), name, p["arguments"]?.DeepClone())];
        }

        if (type == "tool_use" && Only(p, "type", "id", "name", "input") && DatasetRecords.String(p, "name") is { } useName)
        {
            return [new ToolCallBlock(DatasetRecords.String(p, "id"), useName, p["input"]?.DeepClone())];
        }

        return [Opaque(type, p)];
    }

    private List<ContentBlock> Result(JsonObject p, string type)
    {
        if (Only(p, "type", "value") && DatasetRecords.String(p, "value") is { } text)
        {
            return [new ToolResultBlock(null, text.Length > 0 ? [new TextBlock(text)] : [])];
        }

        if (type == "function_call_output" && Only(p, "type", "call_id", "output") && DatasetRecords.String(p, "output") is { } output)
        {
            return [new ToolResultBlock(DatasetRecords.String(p, "call_id"), output.Length > 0 ? [new TextBlock(output)] : [])];
        }

        if (type == "tool_result" && Only(p, "type", "tool_use_id", "content", "is_error")
            && (p["is_error"] is null || p["is_error"]!.GetValueKind() is JsonValueKind.True or JsonValueKind.False))
        {
            return [new ToolResultBlock(DatasetRecords.String(p, "tool_use_id"), Content(p["content"]), p["is_error"]?.GetValueKind() == JsonValueKind.True)];
        }

        return [Opaque(type, p)];
    }

    private List<ContentBlock> ImageUrl(JsonObject p, string type)
    {
        // {"type": "image_url", "image_url": {"url", "detail"?}} or {"type": "input_image", "image_url": "…", "detail"?}
        var (url, rest) = p["image_url"] switch
        {
            JsonObject o when Only(p, "type", "image_url") => (DatasetRecords.String(o, "url"), DatasetRecords.Rest(o, "url")),
            JsonValue => (DatasetRecords.String(p, "image_url"), DatasetRecords.Rest(p, "type", "image_url")),
            _ => (null, null),
        };
        if (url is null || DataUrl(url, "image") is not { } blob)
        {
            return [Opaque(type, p)];
        }

        return rest is null ? [blob] : [blob, new OpaqueBlock(Provider, type + "_fields", rest)];
    }

    private List<ContentBlock>? Base64Source(JsonObject source, string kind)
    {
        if (DatasetRecords.String(source, "type") != "base64" || !Only(source, "type", "media_type", "data") || DatasetRecords.String(source, "data") is not { } data)
        {
            return null;
        }

        return Decode(data) is { } bytes ? [Blob(kind, bytes, DatasetRecords.String(source, "media_type"))] : null;
    }

    private List<ContentBlock>? Audio(JsonObject audio)
    {
        if (!Only(audio, "data", "format") || DatasetRecords.String(audio, "data") is not { } data || Decode(data) is not { } bytes)
        {
            return null;
        }

        var format = DatasetRecords.String(audio, "format");
        return [Blob("audio", bytes, format is null ? null : "audio/" + format)];
    }

    /// <summary>A data: URL's bytes as a blob block, or null for any other URL (kept opaque by the caller).</summary>
    private BlobBlock? DataUrl(string url, string kind)
    {
        if (!url.StartsWith("data:", StringComparison.Ordinal) || url.IndexOf(',', StringComparison.Ordinal) is var comma && comma < 0)
        {
            return null;
        }

        var header = url[5..comma];
        var isBase64 = header.EndsWith(";base64", StringComparison.Ordinal);
        var mediaType = isBase64 ? header[..^7] : header;
        var bytes = isBase64 ? Decode(url[(comma + 1)..]) : System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(url[(comma + 1)..]));
        return bytes is null ? null : Blob(kind, bytes, mediaType.Length > 0 ? mediaType : null);
    }

    private BlobBlock Blob(string kind, byte[] bytes, string? mediaType)
    {
        var id = ContentId.Of(bytes);
        if (blobIds.Add(id))
        {
            blobs.Add(bytes);
        }

        return new BlobBlock(kind, id, mediaType, null, bytes.Length);
    }

    private static byte[]? Decode(string base64)
    {
        try
        {
            return System.Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static OpaqueBlock Opaque(string type, JsonNode? part) => new(Provider, type, part?.DeepClone());

    private static bool Only(JsonObject o, params ReadOnlySpan<string> keys)
    {
        foreach (var (key, _) in o)
        {
            if (!keys.Contains(key))
            {
                return false;
            }
        }

        return true;
    }
}

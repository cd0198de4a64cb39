using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Import.Formats.ShareGpt;

/// <summary>
/// Tool calls written as JSON text (ShareGPT "function_call" turns, "tool_call" content parts):
/// {"name": …, "arguments": …}, the OpenAI {"id", "type": "function", "function": {…}} form, or an array of
/// either. Only shapes understood in full become tool-call blocks; anything else is kept verbatim.
/// </summary>
internal static class ToolCallText
{
    // Duplicate members are refused at the parse (the text is then kept verbatim): a lazily built object threw
    // ArgumentException out of the reader on first use instead (found by fuzzing, import-openai-jsonl).
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1, AllowDuplicateProperties = false };

    /// <summary>The calls in <paramref name="text"/>, or one opaque block holding the text as given.</summary>
    public static IReadOnlyList<ContentBlock> Parse(string text, string provider, string itemType)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(text, documentOptions: Options);
        }
        catch (JsonException)
        {
            parsed = null;
        }

        var items = parsed switch
        {
            JsonObject o => [o],
            JsonArray a when a.Count > 0 && a.All(x => x is JsonObject) => a.Select(x => (JsonObject)x!).ToList(),
            _ => new List<JsonObject>(),
        };
        var calls = items.Select(FromObject).ToList();
        return items.Count > 0 && calls.All(c => c is not null)
            ? calls.Select(c => (ContentBlock)c!).ToList()
            : [new OpaqueBlock(provider, itemType, JsonValue.Create(text))];
    }

    /// <summary>A call object understood in full, else null.</summary>
    public static ToolCallBlock? FromObject(JsonObject call)
    {
        if (call["function"] is JsonObject function)
        {
            // OpenAI: {"id", "type": "function", "function": {"name", "arguments"}}
            return Known(call, "id", "type", "function") && DatasetRecords.String(call, "type") is null or "function"
                && Known(function, "name", "arguments") && DatasetRecords.String(function, "name") is { } fname
                ? new ToolCallBlock(DatasetRecords.String(call, "id"), fname, function["arguments"]?.DeepClone())
                : null;
        }

        return Known(call, "id", "name", "arguments") && DatasetRecords.String(call, "name") is { } name
            && (call["id"] is null || DatasetRecords.String(call, "id") is not null)
            ? new ToolCallBlock(DatasetRecords.String(call, "id"), name, call["arguments"]?.DeepClone())
            : null;
    }

    private static bool Known(JsonObject o, params ReadOnlySpan<string> keys)
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

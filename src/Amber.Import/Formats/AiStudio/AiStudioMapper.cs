using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Import.Formats.ChatApps;
using Amber.Import.Json;

namespace Amber.Import.Formats.AiStudio;

/// <summary>
/// Normalizes one AI Studio prompt. A prompt file has no id, time or title inside it: its title is the file name,
/// and its source id is derived from its first chunk (<c>first:</c> and the content id of that chunk's role and
/// text), which stays the same as the prompt grows and is saved again, so a longer copy joins the same conversation.
/// A non-empty system instruction is a system root; each chunk is one node (role "model" becomes assistant, a
/// thought chunk's text a thinking block). The runSettings model (provider google, "models/" dropped) is credited to
/// every model chunk, marked inferred since the settings are the prompt's at save time, with the other settings as
/// parameters and the chunk's tokenCount as usage.
/// </summary>
internal sealed class AiStudioMapper
{
    private const string ModelPrefix = "models/";

    /// <summary>Chunk members mapped to the node's own fields; the rest (images, documents, finishReason, …) is kept in its meta.</summary>
    private static readonly string[] MappedChunkMembers = ["role", "text", "isThought"];

    private readonly ImportInput input;
    private readonly string where;
    private readonly JsonObject prompt;

    private AiStudioMapper(ImportInput input, string where, JsonObject prompt)
    {
        this.input = input;
        this.where = where;
        this.prompt = prompt;
    }

    public static ImportedConversation Map(ImportInput input, JsonRecord record)
    {
        try
        {
            var o = ChatAppJson.ParseObject(record.Bytes.Span) ?? throw ImportException.At(input, record.Where, "not an AI Studio prompt: expected a JSON object");
            return new AiStudioMapper(input, record.Where, o).Map(record.Bytes);
        }
        catch (Exception e) when (ChatAppJson.IsRecordError(e))
        {
            throw ImportException.At(input, record.Where, e.Message, e);
        }
    }

    private ImportedConversation Map(ReadOnlyMemory<byte> raw)
    {
        var chunked = prompt["chunkedPrompt"] as JsonObject ?? throw Fail("not an AI Studio prompt: expected {runSettings, systemInstruction, chunkedPrompt: {chunks: [{role, text}, …]}}, and found no \"chunkedPrompt\" object");
        var chunks = chunked["chunks"] as JsonArray ?? throw Fail("not an AI Studio prompt: chunkedPrompt has no \"chunks\" array");
        var settings = prompt["runSettings"] as JsonObject;
        var reference = settings is not null && ChatAppJson.String(settings, "model") is { Length: > 0 } model
            ? new ModelReference { Provider = "google", Requested = model.StartsWith(ModelPrefix, StringComparison.Ordinal) ? model[ModelPrefix.Length..] : model }
            : null;
        var parameters = settings is null ? null : ChatAppJson.Rest(settings, "model");

        var nodes = new List<Node>(chunks.Count + 1);
        string? parent = null;
        if (prompt["systemInstruction"] is JsonObject system && ChatAppJson.String(system, "text") is { Length: > 0 } instruction)
        {
            var node = new Node { Role = "system", Content = [new TextBlock(instruction)], Flags = [NodeFlags.System], Meta = ChatAppJson.Rest(system, "text") };
            nodes.Add(node);
            parent = node.ComputeId();
        }

        JsonObject? firstChunk = null;
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i] as JsonObject ?? throw Fail($"chunks[{i}] is not an object");
            firstChunk ??= new JsonObject { ["role"] = chunk["role"]?.DeepClone(), ["text"] = chunk["text"]?.DeepClone() };
            var node = MapChunk(chunk, i, parent, reference, parameters);
            nodes.Add(node);
            parent = node.ComputeId();
        }

        var sourceId = firstChunk is null
            ? "content:" + ContentId.Of(raw.Span)
            : "first:" + ContentId.OfCanonical(firstChunk);
        var meta = ChatAppJson.Rest(prompt, "chunkedPrompt") ?? [];
        if (ChatAppJson.Rest(chunked, "chunks") is { } rest)
        {
            meta["chunkedPrompt"] = rest; // pendingChunks and other members beside the chunks
        }

        return new ImportedConversation
        {
            Record = new ConversationRecord
            {
                Format = AiStudioFormat.FormatName,
                Source = AiStudioFormat.SourceName,
                SourceId = sourceId,
                Title = Path.GetFileNameWithoutExtension(input.FileName) is { Length: > 0 } name ? name : null,
                Meta = meta.Count > 0 ? meta : null,
            },
            Nodes = nodes,
            Raw = raw,
            Models = reference is null ? [] : [reference],
        };
    }

    private Node MapChunk(JsonObject chunk, int index, string? parent, ModelReference? reference, JsonObject? parameters)
    {
        var sourceRole = ChatAppJson.String(chunk, "role") ?? throw Fail($"chunks[{index}]: missing or non-string \"role\"");
        var role = sourceRole == "model" ? "assistant" : sourceRole;
        var thought = chunk["isThought"] is JsonValue t && t.GetValueKind() == JsonValueKind.True;
        var meta = ChatAppJson.Rest(chunk, MappedChunkMembers) ?? [];
        meta["source_index"] = index;
        if (chunk["isThought"] is { } flag && flag.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            meta["isThought"] = flag.DeepClone();
        }

        var content = new List<ContentBlock>();
        switch (chunk["text"])
        {
            case null:
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                if (text.Length > 0)
                {
                    content.Add(thought ? new ThinkingBlock(text) : new TextBlock(text));
                }

                if (chunk["parts"] is JsonArray parts && RepeatsText(parts, text, thought))
                {
                    meta.Remove("parts"); // the same text again, part by part
                }

                break;
            default:
                meta["text"] = chunk["text"]!.DeepClone();
                break;
        }

        GenerationRecord? generation = null;
        if (role == "assistant")
        {
            if (reference is null)
            {
                meta["model_unknown"] = true;
            }
            else
            {
                meta["model_inferred"] = "runSettings.model";
                JsonObject? usage = null;
                if (chunk["tokenCount"] is JsonValue tokens && meta.Remove("tokenCount"))
                {
                    usage = new JsonObject { ["tokenCount"] = tokens.DeepClone() };
                }

                generation = new GenerationRecord
                {
                    Model = reference.Id,
                    Parameters = parameters is { Count: > 0 } ? parameters.DeepClone().AsObject() : null,
                    Usage = usage,
                    FinishReason = ChatAppJson.String(chunk, "finishReason"),
                };
                if (generation.FinishReason is not null)
                {
                    meta.Remove("finishReason");
                }
            }
        }

        var flags = new List<string>();
        if (role == "system")
        {
            flags.Add(NodeFlags.System);
        }

        if (content.Count == 0)
        {
            flags.Add(NodeFlags.Empty);
        }

        return new Node { Parent = parent, Role = role, Content = content, Generation = generation, Flags = flags, Meta = meta };
    }

    /// <summary>True when the parts hold only the chunk's text, in order, each marked a thought exactly when the chunk is.</summary>
    private static bool RepeatsText(JsonArray parts, string text, bool thought)
    {
        var joined = new System.Text.StringBuilder();
        foreach (var part in parts)
        {
            if (part is not JsonObject p || ChatAppJson.String(p, "text") is not { } s)
            {
                return false;
            }

            var isThought = p["thought"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
            if (isThought != thought || p.Count != (p.ContainsKey("thought") ? 2 : 1))
            {
                return false;
            }

            joined.Append(s);
        }

        return joined.ToString() == text;
    }

    private ImportException Fail(string what) => ImportException.At(input, where, what);
}

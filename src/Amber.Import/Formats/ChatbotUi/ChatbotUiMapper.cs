using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats.ChatApps;
using Amber.Import.Json;

namespace Amber.Import.Formats.ChatbotUi;

/// <summary>
/// Normalizes the conversations of one Chatbot UI export. Messages carry no ids, times or models: they are chained
/// in their order, and the conversation's model (provider chatbot-ui, its id as requested), system prompt and
/// temperature are credited to each assistant message, marked inferred (meta.model_inferred).
/// </summary>
internal static class ChatbotUiMapper
{
    public static IEnumerable<ImportedConversation> Map(ImportInput input, JsonRecord record)
    {
        List<(ReadOnlyMemory<byte> Raw, long Offset)> entries;
        try
        {
            entries = JsonArrayMember.Elements(record.Bytes, "history"u8);
        }
        catch (JsonException e)
        {
            throw ImportException.At(input, record.Where, "invalid JSON: " + e.Message, e);
        }

        if (entries.Count == 0 && ChatAppJson.ParseObject(record.Bytes.Span)?["history"] is not JsonArray)
        {
            throw ImportException.At(input, record.Where, "not a Chatbot UI export: no \"history\" array");
        }

        for (var i = 0; i < entries.Count; i++)
        {
            yield return Conversation(input, $"history[{i}] (byte {record.Offset + entries[i].Offset})", entries[i].Raw);
        }
    }

    private static ImportedConversation Conversation(ImportInput input, string where, ReadOnlyMemory<byte> raw)
    {
        try
        {
            var c = ChatAppJson.ParseObject(raw.Span) ?? throw ImportException.At(input, where, "not a Chatbot UI conversation: expected a JSON object");
            var id = ChatAppJson.Id(c, "id") ?? throw ImportException.At(input, where, "not a Chatbot UI conversation: missing \"id\"");
            where = $"conversation {id} ({where})";
            var messages = c["messages"] as JsonArray ?? throw ImportException.At(input, where, "missing \"messages\" array");
            var model = c["model"] is JsonObject m ? ChatAppJson.String(m, "id") : ChatAppJson.String(c, "model");
            ModelReference? reference = model is null ? null : new ModelReference { Provider = ChatbotUiFormat.SourceName, Requested = model };
            var parameters = new JsonObject();
            if (c["prompt"] is JsonValue prompt)
            {
                parameters["prompt"] = prompt.DeepClone();
            }

            if (c["temperature"] is JsonValue temperature)
            {
                parameters["temperature"] = temperature.DeepClone();
            }

            var nodes = new List<Node>(messages.Count);
            string? parent = null;
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i] as JsonObject ?? throw ImportException.At(input, where, $"message {i} is not an object");
                var role = ChatAppJson.String(message, "role") ?? throw ImportException.At(input, where, $"message {i}: missing or non-string \"role\"");
                var text = ChatAppJson.String(message, "content");
                var meta = ChatAppJson.Rest(message, "role", text is null ? "role" : "content") ?? [];
                meta["source_index"] = i;
                GenerationRecord? generation = null;
                if (role == "assistant")
                {
                    if (reference is null)
                    {
                        meta["model_unknown"] = true;
                    }
                    else
                    {
                        meta["model_inferred"] = "conversation.model";
                        generation = new GenerationRecord { Model = reference.Id, Parameters = parameters.Count > 0 ? parameters.DeepClone().AsObject() : null };
                    }
                }

                var node = new Node
                {
                    Parent = parent,
                    Role = role,
                    Content = string.IsNullOrEmpty(text) ? [] : [new TextBlock(text)],
                    Generation = generation,
                    Flags = role == "system" ? [NodeFlags.System] : string.IsNullOrEmpty(text) ? [NodeFlags.Empty] : [],
                    Meta = meta,
                };
                nodes.Add(node);
                parent = node.ComputeId();
            }

            return new ImportedConversation
            {
                Record = new ConversationRecord
                {
                    Format = ChatbotUiFormat.FormatName,
                    Source = ChatbotUiFormat.SourceName,
                    SourceId = id,
                    Title = ChatAppJson.String(c, "name") is { Length: > 0 } name ? name : null,
                    Meta = ChatAppJson.Rest(c, "id", "name", "messages"),
                },
                Nodes = nodes,
                Raw = raw,
                Models = reference is null ? [] : [reference],
            };
        }
        catch (Exception e) when (ChatAppJson.IsRecordError(e))
        {
            throw ImportException.At(input, where, e.Message, e);
        }
    }
}

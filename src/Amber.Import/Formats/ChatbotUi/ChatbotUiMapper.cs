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
        var entries = new List<(ReadOnlyMemory<byte> Raw, long Offset)>();
        try
        {
            Entries(record.Bytes, entries);
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

    /// <summary>The exact bytes of each element of the top-level "history" array.</summary>
    private static void Entries(ReadOnlyMemory<byte> bytes, List<(ReadOnlyMemory<byte>, long)> into)
    {
        var reader = new Utf8JsonReader(bytes.Span, new JsonReaderOptions { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isHistory = reader.ValueTextEquals("history"u8);
            reader.Read();
            if (!isHistory || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = reader.TokenStartIndex;
                reader.Skip();
                into.Add((bytes[(int)start..(int)reader.BytesConsumed], start));
            }

            return;
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

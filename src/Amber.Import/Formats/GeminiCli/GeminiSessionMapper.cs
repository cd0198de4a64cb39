using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.GeminiCli;

/// <summary>
/// One Gemini CLI session file as one conversation, a linear chain of its messages: "user" → user,
/// "gemini" → assistant (its thoughts as thinking blocks, its text, then each tool call followed by its
/// result, an error result when the call's status is "error"; the message's model and token counts as its
/// generation record), other types (info, error, warning) under their own role, flagged system. Messages
/// must be in time order; one older than the message before it is refused.
/// </summary>
internal static class GeminiSessionMapper
{
    private const string Provider = "google";

    /// <summary>A content part with text becomes a text block; only its text is mapped.</summary>
    private static readonly MappedFields PartFields = new("content[]", "text");

    public static ImportedConversation Map(ImportInput input, JsonRecord record, JsonObject o)
    {
        var sessionId = DatasetRecords.String(o, "sessionId") ?? throw ImportException.At(input, record.Where, "a session without \"sessionId\"");
        var messages = o["messages"] as JsonArray ?? throw ImportException.At(input, record.Where, "a session without a \"messages\" array");
        var nodes = new List<Node>(messages.Count);
        var models = new Dictionary<string, ModelReference>(StringComparer.Ordinal);
        var unmapped = new List<string>();
        string? parent = null;
        string? title = null;
        DateTimeOffset? previous = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var where = $"{record.Where}, message {i}";
            try
            {
                var m = messages[i] as JsonObject ?? throw new FormatException("not an object");
                var stamp = DatasetRecords.String(m, "timestamp");
                if (stamp is not null && Amber.Core.Time.Timestamps.TryParse(stamp, out var t))
                {
                    if (previous is { } p && t < p)
                    {
                        throw new FormatException($"its timestamp {stamp} is earlier than message {i - 1}'s; the messages are out of order (a shuffled copy?)");
                    }

                    previous = t;
                }

                var node = ToNode(m, parent, models, unmapped);
                if (title is null && node.Role == "user")
                {
                    title = DatasetRecords.Title(node.SearchText);
                }

                nodes.Add(node);
                parent = node.ComputeId();
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or CanonicalJsonException)
            {
                throw ImportException.At(input, where, e.Message, e);
            }
        }

        return new ImportedConversation
        {
            Record = new ConversationRecord
            {
                Format = GeminiCliFormat.FormatName,
                Source = GeminiCliFormat.SourceName,
                SourceId = sessionId,
                Title = title,
                Created = DatasetRecords.Rfc3339(DatasetRecords.String(o, "startTime")),
                Updated = DatasetRecords.Rfc3339(DatasetRecords.String(o, "lastUpdated")) ?? LatestTime.Of(nodes.Select(n => n.Created)),
                Meta = DatasetRecords.Rest(o, "sessionId", "messages", "startTime"),
            },
            Nodes = nodes,
            Raw = record.Bytes,
            Models = [.. models.Values],
            Notes = [.. MappedFields.Notes(unmapped)],
        };
    }

    private static Node ToNode(JsonObject m, string? parent, Dictionary<string, ModelReference> models, List<string> unmapped)
    {
        var type = DatasetRecords.String(m, "type") ?? throw new FormatException("a message without \"type\"");
        var role = type switch { "user" => "user", "gemini" => "assistant", _ => type };
        var content = new List<ContentBlock>();
        var meta = DatasetRecords.Rest(m, "id", "timestamp", "type", "content", "thoughts", "toolCalls", "model", "tokens") ?? [];
        if (DatasetRecords.String(m, "id") is { } id)
        {
            meta["source_id"] = id;
        }

        if (m["thoughts"] is JsonArray { Count: > 0 } thoughts)
        {
            var subjects = new JsonArray();
            foreach (var th in thoughts)
            {
                var thought = th as JsonObject ?? throw new FormatException("a thought is not an object");
                content.Add(new ThinkingBlock(DatasetRecords.String(thought, "description") ?? ""));
                subjects.Add(DatasetRecords.Rest(thought, "description"));
            }

            meta["thoughts"] = subjects;
        }

        content.AddRange(Parts(m["content"], unmapped));
        if (m["toolCalls"] is JsonArray { Count: > 0 } calls)
        {
            var rest = new JsonArray();
            foreach (var c in calls)
            {
                var call = c as JsonObject ?? throw new FormatException("a tool call is not an object");
                var callId = DatasetRecords.String(call, "id");
                content.Add(new ToolCallBlock(callId, DatasetRecords.String(call, "name") ?? throw new FormatException("a tool call without \"name\""), call["args"]?.DeepClone()));
                var error = DatasetRecords.String(call, "status") is "error" or "cancelled";
                if (call["result"] is JsonArray result)
                {
                    content.Add(new ToolResultBlock(callId, [.. result.Select(Result)], error));
                }

                rest.Add(DatasetRecords.Rest(call, "id", "name", "args", "result"));
            }

            meta["tool_calls"] = rest;
        }

        GenerationRecord? generation = null;
        if (DatasetRecords.String(m, "model") is { } name)
        {
            var model = new ModelReference { Provider = Provider, Requested = name };
            models.TryAdd(model.Id, model);
            generation = new GenerationRecord { Model = model.Id, Usage = (m["tokens"] as JsonObject)?.DeepClone().AsObject() };
        }
        else if (m["tokens"] is JsonObject tokens)
        {
            meta["tokens"] = tokens.DeepClone();
        }

        var flags = new List<string>();
        if (role is not ("user" or "assistant"))
        {
            flags.Add(NodeFlags.System);
        }

        if (content.Count == 0)
        {
            flags.Add(NodeFlags.Empty);
        }

        return new Node
        {
            Parent = parent,
            Role = role,
            Content = content,
            Created = DatasetRecords.Rfc3339(DatasetRecords.String(m, "timestamp")),
            Generation = generation,
            Flags = flags,
            Meta = meta,
        };
    }

    /// <summary>Message content: a string, or a list of parts ({text}, or anything else kept opaque); a text part's other members are added to <paramref name="unmapped"/>.</summary>
    internal static List<ContentBlock> Parts(JsonNode? content, List<string> unmapped) => content switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is { Length: > 0 } s ? [new TextBlock(s)] : [],
        JsonArray parts => [.. parts.Select(p => Part(p, unmapped))],
        null => [],
        _ => [new OpaqueBlock(Provider, "content", content.DeepClone())],
    };

    private static ContentBlock Part(JsonNode? p, List<string> unmapped)
    {
        if (p is JsonObject o && DatasetRecords.String(o, "text") is { } text)
        {
            unmapped.AddRange(PartFields.Unmapped(o));
            return new TextBlock(text);
        }

        return new OpaqueBlock(Provider, "part", p?.DeepClone());
    }

    /// <summary>One item of a tool call's result: a functionResponse's output or error text, else the item kept whole.</summary>
    private static ContentBlock Result(JsonNode? item)
    {
        var response = item?["functionResponse"]?["response"] as JsonObject;
        if (response is not null && response.Count == 1 && (DatasetRecords.String(response, "output") ?? DatasetRecords.String(response, "error")) is { } text)
        {
            return new TextBlock(text);
        }

        return new OpaqueBlock(Provider, "functionResponse", item?.DeepClone());
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats.ChatApps;

namespace Amber.Import.Formats.Grok;

/// <summary>
/// Normalizes one Grok conversation. Every response becomes a node under its parent_response_id; sender "human" is
/// the user, "ASSISTANT" the assistant. A reply's text is its message, after its thinking_trace as a thinking block.
/// Grok names the model on the request (the human response's metadata.requestModelDetails.modelId), so a reply
/// without a "model" of its own is credited its parent request's model, marked inferred.
/// </summary>
internal sealed class GrokMapper
{
    /// <summary>Response members mapped to the node's own fields; the rest (search results, steps, attachments, …) is kept in its meta.</summary>
    private static readonly string[] MappedMembers = ["response_id", "parent_response_id", "conversation_id", "sender", "message", "create_time", "thinking_trace"];

    private readonly ImportInput input;
    private readonly string where;
    private readonly Dictionary<string, ModelReference> models = new(StringComparer.Ordinal);

    private GrokMapper(ImportInput input, string where)
    {
        this.input = input;
        this.where = where;
    }

    public static ImportedConversation Map(ImportInput input, string where, ReadOnlyMemory<byte> raw)
    {
        try
        {
            var entry = ChatAppJson.ParseObject(raw.Span) ?? throw ImportException.At(input, where, "not a Grok conversation: expected a JSON object");
            var conversation = entry["conversation"] as JsonObject ?? throw ImportException.At(input, where, "not a Grok conversation: missing \"conversation\" object");
            var id = ChatAppJson.Id(conversation, "conversation_id") ?? throw ImportException.At(input, where, "not a Grok conversation: missing \"conversation_id\"");
            return new GrokMapper(input, $"conversation {id} ({where})").Map(entry, conversation, id, raw);
        }
        catch (Exception e) when (ChatAppJson.IsRecordError(e))
        {
            throw ImportException.At(input, where, e.Message, e);
        }
    }

    /// <summary>An ISO 8601 string, or MongoDB extended JSON ({"$date": ISO string | {"$numberLong": ms}}), as RFC 3339 UTC.</summary>
    internal static string? Time(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => ChatAppJson.IsoTime(v.GetValue<string>()),
        JsonObject { Count: 1 } o when o["$date"] is { } date => date is JsonObject { Count: 1 } n && n["$numberLong"] is JsonValue ms && ms.GetValueKind() == JsonValueKind.String && long.TryParse(ms.GetValue<string>(), out var millis)
            ? ChatAppJson.EpochTime(JsonValue.Create(millis))
            : Time(date),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => ChatAppJson.EpochTime(v),
        _ => null,
    };

    private ImportedConversation Map(JsonObject entry, JsonObject conversation, string sourceId, ReadOnlyMemory<byte> raw)
    {
        var list = entry["responses"] as JsonArray ?? throw Fail("not a Grok conversation: missing \"responses\" array");
        var responses = new List<(JsonObject Response, JsonObject Entry)>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var e = list[i] as JsonObject ?? throw Fail($"responses[{i}] is not an object");
            responses.Add((e["response"] as JsonObject ?? throw Fail($"responses[{i}] has no \"response\" object"), e));
        }

        var ids = responses.Select(r => ChatAppJson.Id(r.Response, "response_id")).ToList();
        var (order, parents) = ChatAppTree.Order(ids, [.. responses.Select(r => ChatAppJson.Id(r.Response, "parent_response_id"))], Fail);
        var nodeIds = new string?[responses.Count];
        var nodes = new List<Node>(responses.Count);
        foreach (var i in order)
        {
            var request = parents[i] < 0 ? null : responses[parents[i]].Response;
            var node = MapResponse(responses[i].Response, responses[i].Entry, ids[i] ?? $"#{i}", parents[i] < 0 ? null : nodeIds[parents[i]], request);
            nodeIds[i] = node.ComputeId();
            nodes.Add(node);
        }

        var meta = ChatAppJson.Rest(conversation, "conversation_id", "title", "create_time") ?? [];
        if (ChatAppJson.Rest(entry, "conversation", "responses") is { } rest)
        {
            meta["entry"] = rest;
        }

        return new ImportedConversation
        {
            Record = new ConversationRecord
            {
                Format = GrokFormat.FormatName,
                Source = GrokFormat.SourceName,
                SourceId = sourceId,
                Title = ChatAppJson.String(conversation, "title") is { Length: > 0 } title ? title : null,
                Created = Time(conversation["create_time"]),
                Updated = Time(conversation["modify_time"]),
                Meta = meta.Count > 0 ? meta : null,
            },
            Nodes = nodes,
            Raw = raw,
            Models = [.. models.Values],
        };
    }

    private Node MapResponse(JsonObject r, JsonObject entry, string id, string? parent, JsonObject? request)
    {
        var sender = ChatAppJson.String(r, "sender") ?? throw Fail($"response {id}: missing or non-string \"sender\"");
        var role = sender.ToLowerInvariant() switch
        {
            "human" or "user" => "user",
            "assistant" => "assistant",
            var other => other,
        };
        var meta = ChatAppJson.Rest(r, MappedMembers) ?? [];
        meta["source_id"] = id;
        meta["sender"] = sender;
        if (ChatAppJson.Rest(entry, "response") is { } outer)
        {
            meta["entry"] = outer; // share_link
        }

        if (ChatAppJson.Id(r, "parent_response_id") is { } p && parent is null)
        {
            meta["missing_parent"] = p;
        }

        var content = new List<ContentBlock>();
        switch (r["thinking_trace"])
        {
            case null:
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                if (v.GetValue<string>() is { Length: > 0 } trace)
                {
                    content.Add(new ThinkingBlock(trace));
                }

                break;
            case var other when other.GetValueKind() != JsonValueKind.Null:
                meta["thinking_trace"] = other.DeepClone();
                break;
        }

        if (ChatAppJson.String(r, "message") is { } text)
        {
            if (text.Length > 0)
            {
                content.Add(new TextBlock(text));
            }
        }
        else if (r["message"] is { } message)
        {
            meta["message"] = message.DeepClone();
        }

        var created = Time(r["create_time"]);
        if (r["create_time"] is { } at && created is null)
        {
            meta["create_time"] = at.DeepClone();
        }

        var generation = role == "assistant" ? Generation(r, request, meta) : null;
        var flags = new List<string>();
        if (content.Count == 0)
        {
            flags.Add(NodeFlags.Empty);
        }

        if (role == "assistant" && r["partial"] is JsonValue partial && partial.TryGetValue(out bool isPartial) && isPartial)
        {
            flags.Add(NodeFlags.Interrupted);
        }

        return new Node { Parent = parent, Role = role, Content = content, Created = created, Generation = generation, Flags = flags, Meta = meta };
    }

    /// <summary>The reply's own "model", else its request's requestModelDetails.modelId (inferred), credited to xai; else none.</summary>
    private GenerationRecord? Generation(JsonObject r, JsonObject? request, JsonObject meta)
    {
        var model = ChatAppJson.String(r, "model");
        if (string.IsNullOrEmpty(model) && RequestedModel(request) is { } requested)
        {
            model = requested;
            meta["model_inferred"] = "request.metadata.requestModelDetails.modelId";
        }

        if (string.IsNullOrEmpty(model))
        {
            meta["model_unknown"] = true;
            return null;
        }

        var reference = new ModelReference { Provider = "xai", Requested = model };
        models.TryAdd(reference.Id, reference);
        return new GenerationRecord { Model = reference.Id };
    }

    private static string? RequestedModel(JsonObject? request)
        => request?["metadata"] is JsonObject metadata && metadata["requestModelDetails"] is JsonObject details ? ChatAppJson.String(details, "modelId") : null;

    private ImportException Fail(string what) => ImportException.At(input, where, what);
}

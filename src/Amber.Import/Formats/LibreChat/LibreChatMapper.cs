using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats.ChatApps;
using Amber.Import.Json;

namespace Amber.Import.Formats.LibreChat;

/// <summary>
/// Normalizes one LibreChat conversation. Nested and flat exports give the same nodes: each message's parent is
/// its parentMessageId when the export holds that message, else the message it is nested in. An assistant
/// message's model is credited to its endpoint; the conversation's options (sampling settings, prompt prefix, …)
/// are its generation parameters, and its token counts its usage.
/// </summary>
internal sealed class LibreChatMapper
{
    /// <summary>Options that name the conversation rather than how a reply was sampled.</summary>
    private static readonly string[] NotParameters = ["title", "model", "endpoint", "presetId"];

    /// <summary>Token counts LibreChat stores on a message, kept as its usage under their own names.</summary>
    private static readonly string[] UsageMembers = ["promptTokens", "tokenCount", "completionTokens", "summaryTokenCount"];

    private readonly ImportInput input;
    private readonly string where;
    private readonly JsonObject source;
    private readonly Dictionary<string, ModelReference> models = new(StringComparer.Ordinal);

    private LibreChatMapper(ImportInput input, string where, JsonObject source)
    {
        this.input = input;
        this.where = where;
        this.source = source;
    }

    public static ImportedConversation Map(ImportInput input, JsonRecord record)
    {
        var where = record.Where;
        try
        {
            var o = ChatAppJson.ParseObject(record.Bytes.Span) ?? throw ImportException.At(input, where, "not a LibreChat export: expected a JSON object");
            if (ChatAppJson.Id(o, "conversationId") is { } id)
            {
                where = $"conversation {id} ({record.Where})";
            }

            return new LibreChatMapper(input, where, o).Map(record.Bytes);
        }
        catch (Exception e) when (ChatAppJson.IsRecordError(e))
        {
            throw ImportException.At(input, where, e.Message, e);
        }
    }

    private ImportedConversation Map(ReadOnlyMemory<byte> raw)
    {
        var sourceId = ChatAppJson.Id(source, "conversationId") ?? throw Fail("not a LibreChat export: missing \"conversationId\"");
        var list = (source["messages"] ?? source["messagesTree"]) as JsonArray ?? throw Fail("not a LibreChat export: missing \"messages\" array");
        var messages = new List<(JsonObject Message, string? Id, string? Enclosing)>();
        Flatten(list, null, messages, "messages");
        var ids = messages.Select(m => m.Id).ToList();
        var known = ids.OfType<string>().ToHashSet(StringComparer.Ordinal);
        var parentIds = messages.Select(m => ChatAppJson.String(m.Message, "parentMessageId") is { } p && known.Contains(p) ? p : m.Enclosing).ToList();
        var (order, parents) = ChatAppTree.Order(ids, parentIds, Fail);
        var nodeIds = new string?[messages.Count];
        var nodes = new List<Node>(messages.Count);
        foreach (var i in order)
        {
            var node = MapMessage(messages[i].Message, messages[i].Id ?? $"#{i}", parents[i] < 0 ? null : nodeIds[parents[i]]);
            nodeIds[i] = node.ComputeId();
            nodes.Add(node);
        }

        var created = nodes.Select(n => n.Created).OfType<string>().Select(c => (Text: c, Time: ChatAppJson.IsoTime(c) is { } t ? Amber.Core.Time.Timestamps.Parse(t) : null))
            .Where(c => c.Time is not null).OrderBy(c => c.Time).Select(c => c.Text).FirstOrDefault();
        return new ImportedConversation
        {
            Record = new ConversationRecord
            {
                Format = LibreChatFormat.FormatName,
                Source = LibreChatFormat.SourceName,
                SourceId = sourceId,
                Title = ChatAppJson.String(source, "title") is { Length: > 0 } title ? title : null,
                Created = created,
                Updated = ChatAppJson.AnyTime(source["updatedAt"]),
                Meta = ChatAppJson.Rest(source, "conversationId", "title", "messages", "messagesTree"),
            },
            Nodes = nodes,
            Raw = raw,
            Models = [.. models.Values],
        };
    }

    /// <summary>Every message of the (possibly nested) list, with the id of the message it is nested in.</summary>
    private void Flatten(JsonArray list, string? enclosing, List<(JsonObject, string?, string?)> into, string path)
    {
        for (var i = 0; i < list.Count; i++)
        {
            var m = list[i] as JsonObject ?? throw Fail($"{path}[{i}] is not an object");
            var id = ChatAppJson.Id(m, "messageId");
            into.Add((m, id, enclosing));
            switch (m["children"])
            {
                case null:
                    break;
                case JsonArray children:
                    Flatten(children, id, into, $"message {id ?? path + $"[{i}]"}: children");
                    break;
                default:
                    throw Fail($"message {id ?? path + $"[{i}]"}: \"children\" is not an array");
            }
        }
    }

    private Node MapMessage(JsonObject m, string id, string? parent)
    {
        var byUser = m["isCreatedByUser"] is JsonValue v && v.TryGetValue(out bool b)
            ? b
            : string.Equals(ChatAppJson.String(m, "sender"), "user", StringComparison.OrdinalIgnoreCase);
        var role = byUser ? "user" : "assistant";
        var mapped = new List<string> { "messageId", "children" };
        var content = new List<ContentBlock>();
        if (m["content"] is JsonArray { Count: > 0 } parts)
        {
            mapped.Add("content");
            content.AddRange(parts.Select(Part));
        }
        else if (ChatAppJson.String(m, "text") is { } text)
        {
            mapped.Add("text");
            if (text.Length > 0)
            {
                content.Add(new TextBlock(text));
            }
        }

        var createdAt = ChatAppJson.String(m, "createdAt");
        var created = ChatAppJson.IsoTime(createdAt);
        if (created is not null && created == createdAt)
        {
            mapped.Add("createdAt");
        }

        var parentMessageId = ChatAppJson.String(m, "parentMessageId");
        if (parent is not null || parentMessageId is null or LibreChatFormat.RootParentId)
        {
            mapped.Add("parentMessageId"); // what it says is the node's parent link
        }

        GenerationRecord? generation = null;
        var inferred = false;
        if (!byUser)
        {
            generation = Generation(m, out inferred);
            if (generation is not null)
            {
                mapped.AddRange(UsageMembers.Where(m.ContainsKey));
                mapped.Add("finish_reason");
            }
        }

        var meta = ChatAppJson.Rest(m, [.. mapped]) ?? [];
        meta["source_id"] = id;
        if (inferred)
        {
            meta["model_inferred"] = "options.model";
        }
        else if (!byUser && generation is null)
        {
            meta["model_unknown"] = true;
        }

        var flags = new List<string>();
        if (content.Count == 0)
        {
            flags.Add(NodeFlags.Empty);
        }

        if (m["unfinished"] is JsonValue u && u.TryGetValue(out bool unfinished) && unfinished)
        {
            flags.Add(NodeFlags.Interrupted);
        }

        return new Node { Parent = parent, Role = role, Content = content, Created = created, Generation = generation, Flags = flags, Meta = meta };
    }

    /// <summary>The message's model (else the conversation's options.model, inferred) credited to its endpoint.</summary>
    private GenerationRecord? Generation(JsonObject m, out bool inferred)
    {
        var options = source["options"] as JsonObject;
        var model = ChatAppJson.String(m, "model");
        inferred = false;
        if (model is null && options is not null && ChatAppJson.String(options, "model") is { } fallback)
        {
            model = fallback;
            inferred = true;
        }

        if (model is null)
        {
            return null;
        }

        var endpoint = ChatAppJson.String(m, "endpoint") ?? ChatAppJson.String(source, "endpoint") ?? LibreChatFormat.SourceName;
        var reference = new ModelReference { Provider = endpoint, Requested = model };
        models.TryAdd(reference.Id, reference);
        JsonObject? usage = null;
        foreach (var name in UsageMembers)
        {
            if (m[name] is { } value)
            {
                usage ??= [];
                usage[name] = value.DeepClone();
            }
        }

        var parameters = options is null ? null : ChatAppJson.Rest(options, NotParameters);
        if (parameters is not null)
        {
            foreach (var key in parameters.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                parameters.Remove(key);
            }
        }

        return new GenerationRecord
        {
            Model = reference.Id,
            Parameters = parameters is { Count: > 0 } ? parameters : null,
            Usage = usage,
            FinishReason = ChatAppJson.String(m, "finish_reason"),
        };
    }

    /// <summary>A content part of LibreChat's agents format: text and think parts as such, any other kept whole.</summary>
    private static ContentBlock Part(JsonNode? part)
    {
        if (part is JsonObject o && ChatAppJson.String(o, "type") is { } type)
        {
            var value = o[type] switch
            {
                JsonValue s when s.TryGetValue(out string? text) => text,
                JsonObject inner => ChatAppJson.String(inner, "value"),
                _ => null,
            };
            if (value is not null && o.Count == 2)
            {
                switch (type)
                {
                    case "text":
                        return new TextBlock(value);
                    case "think":
                        return new ThinkingBlock(value);
                }
            }

            return new OpaqueBlock(LibreChatFormat.SourceName, type, o.DeepClone());
        }

        return new OpaqueBlock(LibreChatFormat.SourceName, "part", part?.DeepClone());
    }

    private ImportException Fail(string what) => ImportException.At(input, where, what);
}

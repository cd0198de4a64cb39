using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Import.Formats.ChatApps;
using Amber.Import.Json;

namespace Amber.Import.Formats.OpenWebUi;

/// <summary>
/// Normalizes one Open WebUI chat. Every entry of history.messages becomes a node under its parentId (a chat
/// without history chains its "messages" list the same way); childrenIds are not kept, since they follow from the
/// parent links and grow as the chat does. An assistant message's model and usage make its generation record.
/// </summary>
internal sealed class OpenWebUiMapper
{
    /// <summary>Message members mapped to the node's own fields (or derived from them); the rest is kept in its meta.</summary>
    private static readonly string[] MappedMessageMembers = ["id", "parentId", "childrenIds", "role", "content", "timestamp", "usage"];

    /// <summary>What the chat's history holds that is mapped: its messages (the nodes) and currentId (in the record's meta).</summary>
    private static readonly MappedFields HistoryFields = new("history", "messages", "currentId");

    private readonly ImportInput input;
    private readonly string where;
    private readonly JsonObject chat;
    private readonly List<ReadOnlyMemory<byte>> blobs = [];
    private readonly Dictionary<string, ModelReference> models = new(StringComparer.Ordinal);

    private OpenWebUiMapper(ImportInput input, string where, JsonObject chat)
    {
        this.input = input;
        this.where = where;
        this.chat = chat;
    }

    public static ImportedConversation Map(ImportInput input, JsonRecord record)
    {
        var where = record.Where;
        try
        {
            var o = ChatAppJson.ParseObject(record.Bytes.Span) ?? throw ImportException.At(input, where, "not an Open WebUI chat: expected a JSON object");
            var wrapper = o["chat"] is JsonObject ? o : null;
            var chat = wrapper is null ? o : (JsonObject)o["chat"]!;
            var ownId = NonEmpty(wrapper is null ? null : ChatAppJson.Id(wrapper, "id")) ?? NonEmpty(ChatAppJson.Id(chat, "id"));
            if (ownId is not null)
            {
                where = $"chat {ownId} ({record.Where})";
            }

            return new OpenWebUiMapper(input, where, chat).Map(wrapper, ownId, record.Bytes);
        }
        catch (Exception e) when (ChatAppJson.IsRecordError(e))
        {
            throw ImportException.At(input, where, e.Message, e);
        }
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private ImportedConversation Map(JsonObject? wrapper, string? ownId, ReadOnlyMemory<byte> raw)
    {
        var messages = Messages();
        var ids = messages.Select(m => m.Id).ToList();
        var (order, parents) = ChatAppTree.Order(ids, [.. messages.Select(m => ChatAppJson.String(m.Message, "parentId"))], Fail);
        var nodeIds = new string?[messages.Count];
        var nodes = new List<Node>(messages.Count);
        foreach (var i in order)
        {
            var node = MapMessage(messages[i].Message, messages[i].Id, parents[i] < 0 ? null : nodeIds[parents[i]]);
            nodeIds[i] = node.ComputeId();
            nodes.Add(node);
        }

        // A chat lifted from webui.db may have an empty id: its first message's id names it as well, and stays as it grows.
        var sourceId = ownId
            ?? (order.Count > 0 && ids[order[0]] is { } first ? "message:" + first : "content:" + ContentId.Of(raw.Span));
        return new ImportedConversation
        {
            Record = MapRecord(wrapper, sourceId),
            Nodes = nodes,
            Raw = raw,
            Models = [.. models.Values],
            Blobs = blobs,
            Notes = [.. MappedFields.Notes(HistoryFields.Unmapped(chat["history"] as JsonObject))],
        };
    }

    /// <summary>history.messages (id from the entry or its key), else the chat's "messages" list.</summary>
    private List<(string? Id, JsonObject Message)> Messages()
    {
        var list = new List<(string?, JsonObject)>();
        if (chat["history"] is JsonObject history && history["messages"] is { } map)
        {
            var entries = map as JsonObject ?? throw Fail("history.messages is not an object");
            foreach (var (key, value) in entries)
            {
                var m = value as JsonObject ?? throw Fail($"message {key} is not an object");
                list.Add((ChatAppJson.Id(m, "id") ?? key, m));
            }

            return list;
        }

        switch (chat["messages"])
        {
            case null:
                return list;
            case JsonArray array:
                {
                    string? previous = null;
                    var linked = array.OfType<JsonObject>().Any(m => m.ContainsKey("parentId"));
                    for (var i = 0; i < array.Count; i++)
                    {
                        var m = array[i] as JsonObject ?? throw Fail($"message {i} is not an object");
                        var id = ChatAppJson.Id(m, "id") ?? $"#{i}";
                        if (!linked && previous is not null)
                        {
                            // No links at all: the list order is the conversation's order.
                            m = (JsonObject)m.DeepClone();
                            m["parentId"] = previous;
                        }

                        list.Add((id, m));
                        previous = id;
                    }

                    return list;
                }

            default:
                throw Fail("\"messages\" is not an array");
        }
    }

    private Node MapMessage(JsonObject m, string? id, string? parent)
    {
        var label = id ?? "?";
        var role = ChatAppJson.String(m, "role") ?? throw Fail($"message {label}: missing or non-string \"role\"");
        var meta = ChatAppJson.Rest(m, MappedMessageMembers) ?? [];
        meta["source_id"] = id;
        if (ChatAppJson.String(m, "parentId") is { } p && parent is null)
        {
            meta["missing_parent"] = p; // named a parent the chat does not hold: kept as a root, and said so
        }

        var content = new List<ContentBlock>();
        switch (m["content"])
        {
            case null:
                break;
            case JsonValue v when v.TryGetValue(out string? text):
                if (text.Length > 0)
                {
                    content.Add(new TextBlock(text));
                }

                break;
            default:
                meta["content"] = m["content"]!.DeepClone(); // not Open WebUI's string content: kept as given
                break;
        }

        if (m["files"] is JsonArray files && meta["files"] is JsonArray kept)
        {
            for (var i = 0; i < files.Count; i++)
            {
                if (files[i] is JsonObject f && DataUrl.Decode(ChatAppJson.String(f, "url")) is { } data)
                {
                    // An embedded image becomes a blob; the meta's copy of the entry names it instead of repeating it.
                    var blob = ContentId.Of(data.Bytes);
                    blobs.Add(data.Bytes);
                    content.Add(new BlobBlock(ChatAppJson.String(f, "type") ?? "file", blob, data.MediaType, ChatAppJson.String(f, "name"), data.Bytes.Length));
                    kept[i]!["url"] = blob;
                }
            }
        }

        var created = ChatAppJson.EpochTime(m["timestamp"]);
        if (m["timestamp"] is not null && created is null)
        {
            meta["timestamp"] = m["timestamp"]!.DeepClone();
        }

        GenerationRecord? generation = null;
        if (role == "assistant")
        {
            generation = Generation(m, meta);
        }
        else if (m["usage"] is { } usage)
        {
            meta["usage"] = usage.DeepClone();
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

        if (role == "assistant" && m["done"] is JsonValue done && done.TryGetValue(out bool isDone) && !isDone)
        {
            flags.Add(NodeFlags.Interrupted);
        }

        return new Node { Parent = parent, Role = role, Content = content, Created = created, Generation = generation, Flags = flags, Meta = meta };
    }

    /// <summary>The message's own model; else the chat's only model, marked inferred; else none (said so in meta).</summary>
    private GenerationRecord? Generation(JsonObject m, JsonObject meta)
    {
        var model = ChatAppJson.String(m, "model");
        if (model is null && chat["models"] is JsonArray { Count: 1 } chatModels && chatModels[0] is JsonValue only && only.TryGetValue(out string? single))
        {
            model = single;
            meta["model_inferred"] = "chat.models";
        }

        var usage = m["usage"] as JsonObject;
        if (m["usage"] is { } u && usage is null)
        {
            meta["usage"] = u.DeepClone();
        }

        if (model is null)
        {
            if (usage is not null)
            {
                meta["usage"] = usage.DeepClone();
            }

            meta["model_unknown"] = true;
            return null;
        }

        var reference = new ModelReference { Provider = OpenWebUiFormat.SourceName, Requested = model };
        models.TryAdd(reference.Id, reference);
        return new GenerationRecord
        {
            Model = reference.Id,
            Parameters = chat["params"] is JsonObject { Count: > 0 } parameters ? parameters.DeepClone().AsObject() : null,
            Usage = usage?.DeepClone().AsObject(),
        };
    }

    private ConversationRecord MapRecord(JsonObject? wrapper, string sourceId)
    {
        var title = (wrapper is null ? null : ChatAppJson.String(wrapper, "title")) ?? ChatAppJson.String(chat, "title");
        var created = (wrapper is null ? null : ChatAppJson.EpochTime(wrapper["created_at"])) ?? ChatAppJson.EpochTime(chat["timestamp"]);
        var meta = ChatAppJson.Rest(chat, "history", "messages", "title") ?? [];
        if (chat["history"] is JsonObject history && history["currentId"] is { } current)
        {
            meta["currentId"] = current.DeepClone();
        }

        if (wrapper is not null && ChatAppJson.Rest(wrapper, "chat", "title") is { } outer)
        {
            meta["export"] = outer;
        }

        return new ConversationRecord
        {
            Format = OpenWebUiFormat.FormatName,
            Source = OpenWebUiFormat.SourceName,
            SourceId = sourceId,
            Title = string.IsNullOrEmpty(title) ? null : title,
            Created = created,
            Updated = (wrapper is null ? null : ChatAppJson.AnyTime(wrapper["updated_at"])) ?? ChatAppJson.AnyTime(chat["updated_at"]),
            Meta = meta.Count > 0 ? meta : null,
        };
    }

    private ImportException Fail(string what) => ImportException.At(input, where, what);
}

using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats.ChatApps;
using Amber.Import.Json;

namespace Amber.Import.Formats.DeepSeek;

/// <summary>
/// Normalizes one DeepSeek chat session. Every chat message becomes a node under its parent_id (a null parent is a
/// root: editing the first prompt starts a new root); its fragments become content blocks in order: REQUEST and
/// RESPONSE text, THINK as a thinking block, any other fragment (search results, tool calls, …) kept whole as an
/// opaque block. A reply's model is credited only when the message names one; the web app leaves "model" empty,
/// and its thinking and search switches are then kept in meta, not turned into a guessed model.
/// </summary>
internal sealed class DeepSeekMapper
{
    /// <summary>Message members mapped to the node's own fields; the rest is kept in its meta.</summary>
    private static readonly string[] MappedMessageMembers = ["message_id", "parent_id", "role", "fragments", "inserted_at", "content", "thinking_content"];

    /// <summary>Message members that say how a reply was generated (its parameters when a model is named).</summary>
    private static readonly string[] ParameterMembers = ["thinking_enabled", "search_enabled", "conversation_mode"];

    private readonly ImportInput input;
    private readonly string where;
    private readonly Dictionary<string, ModelReference> models = new(StringComparer.Ordinal);

    private DeepSeekMapper(ImportInput input, string where)
    {
        this.input = input;
        this.where = where;
    }

    public static ImportedConversation Map(ImportInput input, JsonRecord record)
    {
        var where = record.Where;
        try
        {
            var o = ChatAppJson.ParseObject(record.Bytes.Span) ?? throw ImportException.At(input, where, "not a DeepSeek chat: expected a JSON object");
            var biz = Unwrap(input, where, o);
            var session = biz["chat_session"] as JsonObject ?? throw ImportException.At(input, where, "not a DeepSeek chat: expected {data: {biz_data: {chat_session, chat_messages}}} or {chat_session, chat_messages}, and found no \"chat_session\" object");
            var id = ChatAppJson.Id(session, "id") ?? throw ImportException.At(input, where, "not a DeepSeek chat: chat_session has no \"id\"");
            where = $"chat {id} ({record.Where})";
            return new DeepSeekMapper(input, where).Map(o, biz, session, id, record.Bytes);
        }
        catch (Exception e) when (ChatAppJson.IsRecordError(e))
        {
            throw ImportException.At(input, where, e.Message, e);
        }
    }

    /// <summary>data.biz_data of the API envelope (refused when the API reported an error), else the object itself.</summary>
    private static JsonObject Unwrap(ImportInput input, string where, JsonObject o)
    {
        if (o["data"] is not JsonObject data)
        {
            return o;
        }

        if (data["biz_data"] is JsonObject biz)
        {
            return biz;
        }

        var code = o["code"]?.ToJsonString() ?? "none";
        var message = ChatAppJson.String(data, "biz_msg") is { Length: > 0 } m ? m : ChatAppJson.String(o, "msg");
        throw ImportException.At(input, where, $"not a DeepSeek chat: the saved response holds no data.biz_data (code {code}{(string.IsNullOrEmpty(message) ? string.Empty : ": " + message)})");
    }

    private ImportedConversation Map(JsonObject envelope, JsonObject biz, JsonObject session, string sourceId, ReadOnlyMemory<byte> raw)
    {
        var list = biz["chat_messages"] as JsonArray ?? throw Fail("not a DeepSeek chat: missing \"chat_messages\" array");
        var messages = new List<JsonObject>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            messages.Add(list[i] as JsonObject ?? throw Fail($"chat_messages[{i}] is not an object"));
        }

        var ids = messages.Select(m => ChatAppJson.Id(m, "message_id")).ToList();
        var (order, parents) = ChatAppTree.Order(ids, [.. messages.Select(m => ChatAppJson.Id(m, "parent_id"))], Fail);
        var nodeIds = new string?[messages.Count];
        var nodes = new List<Node>(messages.Count);
        foreach (var i in order)
        {
            var node = MapMessage(messages[i], ids[i] ?? $"#{i}", parents[i] < 0 ? null : nodeIds[parents[i]]);
            nodeIds[i] = node.ComputeId();
            nodes.Add(node);
        }

        var meta = ChatAppJson.Rest(session, "id", "title", "inserted_at") ?? [];
        if (ChatAppJson.Rest(biz, "chat_session", "chat_messages") is { } rest)
        {
            meta["response"] = rest; // cache_valid, route_id: how the history was fetched
        }

        if (!ReferenceEquals(envelope, biz) && ChatAppJson.Rest(envelope, "data") is { } outer)
        {
            meta["envelope"] = outer;
        }

        return new ImportedConversation
        {
            Record = new ConversationRecord
            {
                Format = DeepSeekFormat.FormatName,
                Source = DeepSeekFormat.SourceName,
                SourceId = sourceId,
                Title = ChatAppJson.String(session, "title") is { Length: > 0 } title ? title : null,
                Created = ChatAppJson.EpochTime(session["inserted_at"]),
                Updated = ChatAppJson.AnyTime(session["updated_at"]),
                Meta = meta.Count > 0 ? meta : null,
            },
            Nodes = nodes,
            Raw = raw,
            Models = [.. models.Values],
        };
    }

    private Node MapMessage(JsonObject m, string id, string? parent)
    {
        var sourceRole = ChatAppJson.String(m, "role") ?? throw Fail($"message {id}: missing or non-string \"role\"");
        var role = sourceRole.ToLowerInvariant();
        var meta = ChatAppJson.Rest(m, MappedMessageMembers) ?? [];
        meta["source_id"] = id;
        if (role != sourceRole)
        {
            meta["role"] = sourceRole;
        }

        if (m["parent_id"] is JsonValue p && parent is null)
        {
            meta["missing_parent"] = p.DeepClone(); // names a message the file does not hold: kept as a root, and said so
        }

        var content = Content(m, id, meta);
        var created = ChatAppJson.EpochTime(m["inserted_at"]);
        if (m["inserted_at"] is { } at && created is null)
        {
            meta["inserted_at"] = at.DeepClone();
        }

        GenerationRecord? generation = null;
        if (role == "assistant")
        {
            generation = Generation(m, meta);
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

        if (role == "assistant" && ChatAppJson.String(m, "status") is { } status && status != "FINISHED")
        {
            flags.Add(NodeFlags.Interrupted); // WIP, INCOMPLETE, …: the reply did not finish
        }

        return new Node { Parent = parent, Role = role, Content = content, Created = created, Generation = generation, Flags = flags, Meta = meta };
    }

    /// <summary>
    /// The fragments as blocks; their other members (id, stage_id, elapsed_secs, references) stay in meta.fragments
    /// beside their type. An older message without fragments has "thinking_content" and "content" strings instead.
    /// </summary>
    private List<ContentBlock> Content(JsonObject m, string id, JsonObject meta)
    {
        var content = new List<ContentBlock>();
        switch (m["fragments"])
        {
            case null:
                if (ChatAppJson.String(m, "thinking_content") is { Length: > 0 } thinking)
                {
                    content.Add(new ThinkingBlock(thinking));
                }
                else if (m["thinking_content"] is { } t && t.GetValueKind() != System.Text.Json.JsonValueKind.Null)
                {
                    meta["thinking_content"] = t.DeepClone();
                }

                if (ChatAppJson.String(m, "content") is { } text)
                {
                    if (text.Length > 0)
                    {
                        content.Add(new TextBlock(text));
                    }
                }
                else if (m["content"] is { } other)
                {
                    meta["content"] = other.DeepClone();
                }

                return content;
            case JsonArray fragments:
                var kept = new JsonArray();
                for (var i = 0; i < fragments.Count; i++)
                {
                    var f = fragments[i] as JsonObject ?? throw Fail($"message {id}: fragments[{i}] is not an object");
                    var type = ChatAppJson.String(f, "type") ?? throw Fail($"message {id}: fragments[{i}] has no \"type\"");
                    var body = ChatAppJson.String(f, "content");
                    ContentBlock? block = (type, body) switch
                    {
                        ("REQUEST" or "RESPONSE", { Length: > 0 }) => new TextBlock(body),
                        ("THINK", { Length: > 0 }) => new ThinkingBlock(body),
                        ("REQUEST" or "RESPONSE" or "THINK", _) => null,
                        _ => new OpaqueBlock(DeepSeekFormat.SourceName, type, f.DeepClone()),
                    };
                    if (block is not null)
                    {
                        content.Add(block);
                    }

                    kept.Add(block is OpaqueBlock ? new JsonObject { ["type"] = type } : ChatAppJson.Rest(f, "content") ?? []);
                }

                meta["fragments"] = kept;
                return content;
            default:
                throw Fail($"message {id}: \"fragments\" is not an array");
        }
    }

    /// <summary>The message's own model (provider deepseek) with its switches as parameters; none when it names no model.</summary>
    private GenerationRecord? Generation(JsonObject m, JsonObject meta)
    {
        if (ChatAppJson.String(m, "model") is not { Length: > 0 } model)
        {
            meta["model_unknown"] = true;
            return null;
        }

        var reference = new ModelReference { Provider = DeepSeekFormat.SourceName, Requested = model };
        models.TryAdd(reference.Id, reference);
        var parameters = new JsonObject();
        foreach (var name in ParameterMembers)
        {
            if (m[name] is { } value && meta.Remove(name))
            {
                parameters[name] = value.DeepClone();
            }
        }

        JsonObject? usage = null;
        if (m["accumulated_token_usage"] is JsonValue tokens && meta.Remove("accumulated_token_usage"))
        {
            usage = new JsonObject { ["accumulated_token_usage"] = tokens.DeepClone() };
        }

        meta.Remove("model");
        return new GenerationRecord
        {
            Model = reference.Id,
            Parameters = parameters.Count > 0 ? parameters : null,
            Usage = usage,
        };
    }

    private ImportException Fail(string what) => ImportException.At(input, where, what);
}

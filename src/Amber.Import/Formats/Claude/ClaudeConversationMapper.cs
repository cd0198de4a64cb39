using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Json;

namespace Amber.Import.Formats.Claude;

/// <summary>
/// Normalizes one Claude conversation. Newer exports link messages by parent_message_uuid (a tree with
/// branches); older ones list them without links, not necessarily in order, so they are chained by
/// created_at (ties keep the array order). Every message becomes a node, empty ones flagged.
/// </summary>
internal sealed class ClaudeConversationMapper
{
    /// <summary>The parent Claude gives a conversation's first message.</summary>
    public const string RootParentUuid = "00000000-0000-4000-8000-000000000000";

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 };

    /// <summary>Message members mapped to the node's own fields; every other member is kept in its meta.</summary>
    private static readonly HashSet<string> MappedMessageMembers = new(StringComparer.Ordinal)
    {
        "uuid", "sender", "text", "content", "created_at", "attachments", "files",
    };

    private readonly ImportInput input;
    private readonly string where;
    private readonly JsonObject source;
    private readonly List<ReadOnlyMemory<byte>> blobs = [];
    private readonly Dictionary<string, ModelReference> models = new(StringComparer.Ordinal);

    private ClaudeConversationMapper(ImportInput input, string where, JsonObject source)
    {
        this.input = input;
        this.where = where;
        this.source = source;
    }

    public static ImportedConversation Map(ImportInput input, JsonRecord record)
    {
        var where = $"record {record.Index} (byte {record.Offset})";
        try
        {
            var source = JsonNode.Parse(record.Bytes.Span, documentOptions: ParseOptions) as JsonObject
                ?? throw ImportException.At(input, where, "not a Claude conversation: expected a JSON object");
            if (ClaudeContent.String(source, "uuid") is { } uuid)
            {
                where = $"conversation {uuid} (record {record.Index}, byte {record.Offset})";
            }

            return new ClaudeConversationMapper(input, where, source).Map(record.Bytes);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException or CanonicalJsonException)
        {
            // Duplicate member names, nesting too deep, numbers or strings canonical JSON cannot express.
            throw ImportException.At(input, where, e.Message, e);
        }
    }

    private ImportedConversation Map(ReadOnlyMemory<byte> raw)
    {
        var uuid = ClaudeContent.String(source, "uuid") ?? throw Fail("not a Claude conversation: missing or non-string \"uuid\"");
        var list = source["chat_messages"] as JsonArray ?? throw Fail("not a Claude conversation: missing \"chat_messages\" array");
        var messages = new List<JsonObject>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var m = list[i] as JsonObject ?? throw Fail($"message {i} is not a JSON object");
            if (ClaudeContent.String(m, "sender") is null)
            {
                throw Fail($"message {ClaudeContent.String(m, "uuid") ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)}: missing or non-string \"sender\"");
            }

            messages.Add(m);
        }

        var (order, parents) = messages.Any(m => ClaudeContent.String(m, "parent_message_uuid") is not null) ? Tree(messages) : Chain(messages);
        var conversationModel = ClaudeContent.String(source, "model");
        var ids = new string?[messages.Count];
        var nodes = new List<Node>(messages.Count);
        foreach (var i in order)
        {
            var node = MapMessage(messages[i], i, parents[i] < 0 ? null : ids[parents[i]], conversationModel);
            ids[i] = node.ComputeId();
            nodes.Add(node);
        }

        return new ImportedConversation
        {
            Record = MapRecord(uuid),
            Nodes = nodes,
            Raw = raw,
            Models = [.. models.Values],
            Blobs = blobs,
        };
    }

    /// <summary>Parents from parent_message_uuid; the root sentinel, a missing or an unknown parent make a root.</summary>
    private (List<int> Order, int[] Parents) Tree(List<JsonObject> messages)
    {
        var byUuid = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < messages.Count; i++)
        {
            if (ClaudeContent.String(messages[i], "uuid") is { } id)
            {
                byUuid.TryAdd(id, i);
            }
        }

        var parents = new int[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var p = ClaudeContent.String(messages[i], "parent_message_uuid");
            parents[i] = p is not null && p != RootParentUuid && byUuid.TryGetValue(p, out var j) && j != i ? j : -1;
        }

        // Parent first: depth-first from the roots, siblings in array order.
        var order = ParentFirstOrder.Of(parents, i => ClaudeContent.String(messages[i], "uuid") ?? $"#{i}", "parent_message_uuid", Fail);
        return (order, parents);
    }

    /// <summary>No links: chain the messages by created_at (stable on ties); the array order if a time is missing.</summary>
    private static (List<int> Order, int[] Parents) Chain(List<JsonObject> messages)
    {
        var times = messages.Select(m => ClaudeTime.Parse(ClaudeContent.String(m, "created_at"))).ToList();
        var order = Enumerable.Range(0, messages.Count).ToList();
        if (times.All(t => t is not null))
        {
            order = [.. order.OrderBy(i => times[i]!.Value.UtcTicks)];
        }

        var parents = new int[messages.Count];
        for (var k = 0; k < order.Count; k++)
        {
            parents[order[k]] = k == 0 ? -1 : order[k - 1];
        }

        return (order, parents);
    }

    private Node MapMessage(JsonObject m, int index, string? parent, string? conversationModel)
    {
        var sender = ClaudeContent.String(m, "sender")!;
        var role = sender switch
        {
            "human" => "user",
            "assistant" => "assistant",
            _ => sender,
        };
        var uuid = ClaudeContent.String(m, "uuid");
        var meta = new JsonObject();
        if (uuid is not null)
        {
            meta["source_id"] = uuid;
        }
        else
        {
            meta["source_index"] = index; // no id of its own: its position still keeps it distinct
        }

        meta["sender"] = sender;
        var content = new List<ContentBlock>();
        var text = m["text"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            _ => throw Fail($"message {uuid ?? $"#{index}"}: \"text\" is not a string"),
        };
        switch (m["content"])
        {
            case JsonArray blocks when blocks.Count > 0:
                {
                    ClaudeContent.Blocks(blocks, content, meta, i => Fail($"message {uuid ?? $"#{index}"}: content block {i} is not a JSON object"));

                    // The message text is a rendering of the blocks (tool use shown as placeholders); keep it unless derivable.
                    if (text is not null && text != string.Concat(content.OfType<TextBlock>().Select(t => t.Text)))
                    {
                        meta["text"] = text;
                    }

                    break;
                }

            case null or JsonArray:
                if (!string.IsNullOrEmpty(text))
                {
                    content.Add(new TextBlock(text));
                }

                break;
            default:
                throw Fail($"message {uuid ?? $"#{index}"}: \"content\" is not an array");
        }

        AddFiles(m, "attachments", "attachment", content, meta, uuid ?? $"#{index}");
        AddFiles(m, "files", "file", content, meta, uuid ?? $"#{index}");

        var createdAt = ClaudeContent.String(m, "created_at");
        var created = ClaudeTime.Normalize(createdAt);
        if (m["created_at"] is not null && (created is null || created != createdAt))
        {
            meta["created_at"] = m["created_at"]!.DeepClone();
        }

        foreach (var (key, value) in m)
        {
            if (!MappedMessageMembers.Contains(key))
            {
                meta[key] = value?.DeepClone();
            }
        }

        GenerationRecord? generation = null;
        if (role == "assistant" && (ClaudeContent.String(m, "model") ?? ClaudeContent.String(m, "model_slug") ?? conversationModel) is { } model)
        {
            var reference = new ModelReference { Provider = "anthropic", Requested = model };
            models.TryAdd(reference.Id, reference);
            generation = new GenerationRecord { Model = reference.Id };
        }

        var empty = content.All(b => b is TextBlock t && string.IsNullOrWhiteSpace(t.Text));
        return new Node
        {
            Parent = parent,
            Role = role,
            Content = content,
            Created = created,
            Generation = generation,
            Flags = empty ? [NodeFlags.Empty] : [],
            Meta = meta,
        };
    }

    private void AddFiles(JsonObject m, string member, string itemType, List<ContentBlock> content, JsonObject meta, string message)
    {
        switch (m[member])
        {
            case null:
                return;
            case JsonArray entries:
                {
                    var metadata = new JsonArray();
                    foreach (var entry in entries)
                    {
                        content.Add(ClaudeContent.File(entry, itemType, blobs, metadata));
                    }

                    if (metadata.Count > 0)
                    {
                        meta[member] = metadata;
                    }

                    return;
                }

            default:
                throw Fail($"message {message}: \"{member}\" is not an array");
        }
    }

    private ConversationRecord MapRecord(string uuid)
    {
        var createdAt = ClaudeContent.String(source, "created_at");
        var created = ClaudeTime.Normalize(createdAt);
        var name = ClaudeContent.String(source, "name");
        var meta = new JsonObject();
        foreach (var (key, value) in source)
        {
            var mapped = key switch
            {
                "uuid" or "chat_messages" => true,
                "name" => name is not null,
                "created_at" => created is not null && created == createdAt,
                _ => false,
            };
            if (!mapped)
            {
                meta[key] = value?.DeepClone();
            }
        }

        if (source["account"] is JsonObject account && ClaudeContent.String(account, "uuid") is { } accountUuid)
        {
            meta["account_uuid"] = accountUuid;
        }

        var project = ClaudeContent.String(source, "project_uuid")
            ?? (source["project"] is JsonObject p ? ClaudeContent.String(p, "uuid") : null);
        if (project is not null)
        {
            meta["project_uuid"] = project;
        }

        return new ConversationRecord
        {
            Format = ClaudeFormat.FormatName,
            Source = ClaudeFormat.SourceName,
            SourceId = uuid,
            Title = string.IsNullOrEmpty(name) ? null : name,
            Created = created,
            Updated = ClaudeTime.Normalize(ClaudeContent.String(source, "updated_at")),
            Meta = meta.Count > 0 ? meta : null,
        };
    }

    private ImportException Fail(string what) => ImportException.At(input, where, what);
}

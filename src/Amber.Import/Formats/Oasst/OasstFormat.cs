using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.Oasst;

/// <summary>
/// OpenAssistant message trees: one tree per record with nested "replies" (the oasst1/oasst2 trees export),
/// or the flat form (one message per line with parent_id and message_tree_id), grouped by tree in memory.
/// One conversation per tree; every message is a node (deleted ones flagged hidden); instances are the leaves.
/// The raw form of a flat tree is a JSON array of its message objects, in file order.
/// </summary>
public sealed class OasstFormat : IConversationFormat
{
    public const string FormatName = "oasst";

    /// <summary>The conversations' source and the models' provider.</summary>
    public const string SourceName = "open-assistant";

    /// <summary>Flat files are grouped by tree in memory (as message bytes); past this many bytes of messages the file is refused.</summary>
    public const long MaxFlatBytes = 512L << 20;

    // Message fields modelled by the node itself (or tree-level), so not repeated in its meta.
    private static readonly string[] Modelled = ["message_id", "parent_id", "text", "role", "replies", "created_date", "model_name", "message_tree_id", "tree_state"];

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "OpenAssistant records (JSON Lines): message trees with \"message_tree_id\" and a \"prompt\" object, or flat messages with \"message_id\", \"parent_id\", \"message_tree_id\", \"role\" and \"text\"",
        null,
        ["message_tree_id", "prompt", "message_id", "parent_id", "role", "text"]);

    public int DetectionOrder => 30;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
    {
        if (RecordShape.Read(head) is not { } shape)
        {
            return false;
        }

        if (shape.Has("prompt", JsonTokenType.StartObject))
        {
            var prompt = shape.ChildKeys("prompt");
            return shape.Has("message_tree_id") || (prompt.Contains("message_id") && prompt.Contains("role"));
        }

        return shape.Has("message_id", JsonTokenType.String) && shape.Has("message_tree_id") && shape.Has("role") && shape.Has("text");
    }

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        var flat = new Dictionary<string, List<JsonRecord>>(StringComparer.Ordinal);
        long flatBytes = 0;
        foreach (var record in DatasetRecords.Read(input, cancellationToken))
        {
            var o = DatasetRecords.ParseObject(input, record);
            if (o["prompt"] is JsonObject)
            {
                yield return FromTree(input, record, o);
            }
            else if (DatasetRecords.String(o, "message_id") is { } messageId)
            {
                var tree = DatasetRecords.String(o, "message_tree_id")
                    ?? throw ImportException.At(input, $"message {messageId} ({record.Where})", "a flat OpenAssistant message needs a \"message_tree_id\"");
                flatBytes += record.Bytes.Length;
                if (flatBytes > MaxFlatBytes)
                {
                    throw ImportException.At(input, record.Where, $"flat OpenAssistant messages are grouped by tree in memory, and this file holds more than {MaxFlatBytes >> 20} MiB of them; use the trees export");
                }

                if (!flat.TryGetValue(tree, out var list))
                {
                    flat[tree] = list = [];
                }

                list.Add(record);
            }
            else
            {
                throw ImportException.At(input, record.Where, "not an OpenAssistant tree (no \"prompt\" object) nor a message (no \"message_id\")");
            }
        }

        foreach (var (tree, messages) in flat)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return FromFlat(input, tree, messages);
        }
    }

    private static ImportedConversation FromTree(ImportInput input, JsonRecord record, JsonObject tree)
    {
        var prompt = (JsonObject)tree["prompt"]!;
        var treeId = DatasetRecords.String(tree, "message_tree_id") ?? DatasetRecords.String(prompt, "message_id")
            ?? throw ImportException.At(input, record.Where, "the tree has neither \"message_tree_id\" nor a root \"message_id\"");
        var where = $"conversation {treeId} ({record.Where})";
        var builder = new TreeBuilder(input, where);

        // Pre-order walk (parent before child), replies in source order.
        var stack = new Stack<(JsonObject Message, string? Parent, string? ParentMessage)>();
        stack.Push((prompt, null, null));
        while (stack.Count > 0)
        {
            var (message, parent, parentMessage) = stack.Pop();
            var (id, messageId) = builder.Add(message, parent, parentMessage);
            switch (message["replies"])
            {
                case null:
                    break;
                case JsonArray replies:
                    for (var i = replies.Count - 1; i >= 0; i--)
                    {
                        stack.Push((replies[i] as JsonObject ?? throw ImportException.At(input, where, $"message {messageId}: reply {i} is not an object"), id, messageId));
                    }

                    break;
                default:
                    throw ImportException.At(input, where, $"message {messageId}: \"replies\" is not an array");
            }
        }

        return builder.Finish(treeId, DatasetRecords.Rest(tree, "prompt"), record.Bytes);
    }

    private static ImportedConversation FromFlat(ImportInput input, string treeId, List<JsonRecord> records)
    {
        var messages = records.Select(r => (Message: DatasetRecords.ParseObject(input, r), Record: r)).ToList();
        var where = $"conversation {treeId} ({messages[0].Record.Where})";
        var builder = new TreeBuilder(input, where);
        var ids = new HashSet<string>(messages.Select(m => DatasetRecords.String(m.Message, "message_id")!), StringComparer.Ordinal);
        var children = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        var roots = new List<JsonObject>();
        foreach (var (m, _) in messages)
        {
            if (DatasetRecords.String(m, "parent_id") is { } p && ids.Contains(p))
            {
                if (!children.TryGetValue(p, out var list))
                {
                    children[p] = list = [];
                }

                list.Add(m);
            }
            else
            {
                roots.Add(m);
            }
        }

        var stack = new Stack<(JsonObject Message, string? Parent, string? ParentMessage)>();
        for (var i = roots.Count - 1; i >= 0; i--)
        {
            stack.Push((roots[i], null, null));
        }

        while (stack.Count > 0)
        {
            var (message, parent, parentMessage) = stack.Pop();
            var (id, messageId) = builder.Add(message, parent, parentMessage);
            if (children.Remove(messageId, out var kids))
            {
                for (var i = kids.Count - 1; i >= 0; i--)
                {
                    stack.Push((kids[i], id, messageId));
                }
            }
        }

        if (children.Count > 0)
        {
            throw ImportException.At(input, where, $"messages {string.Join(", ", children.Keys)} are their own ancestors (a parent_id cycle)");
        }

        var meta = new JsonObject { ["message_tree_id"] = treeId };
        if (messages[0].Message["tree_state"] is { } state)
        {
            meta["tree_state"] = state.DeepClone();
        }

        // The raw form of a flat tree: its message objects, exactly as in the file, as one JSON array.
        var raw = new MemoryStream();
        raw.WriteByte((byte)'[');
        for (var i = 0; i < messages.Count; i++)
        {
            if (i > 0)
            {
                raw.WriteByte((byte)',');
            }

            raw.Write(messages[i].Record.Bytes.Span);
        }

        raw.WriteByte((byte)']');
        return builder.Finish(treeId, meta, raw.ToArray());
    }

    /// <summary>Turns OpenAssistant messages into nodes, parent before child, and collects their models.</summary>
    private sealed class TreeBuilder(ImportInput input, string where)
    {
        private readonly List<Node> nodes = [];
        private readonly Dictionary<string, ModelReference> models = new(StringComparer.Ordinal);
        private JsonObject? root;

        public (string NodeId, string MessageId) Add(JsonObject m, string? parent, string? parentMessage)
        {
            var messageId = DatasetRecords.String(m, "message_id") ?? throw ImportException.At(input, where, $"a message under {parentMessage ?? "the root"} has no \"message_id\"");
            try
            {
                var node = ToNode(m, messageId, parent, parentMessage);
                root ??= m;
                nodes.Add(node);
                return (node.ComputeId(), messageId);
            }
            catch (Exception e) when (e is CanonicalJsonException or InvalidOperationException or FormatException)
            {
                throw ImportException.At(input, where, $"message {messageId}: {e.Message}", e);
            }
        }

        public ImportedConversation Finish(string treeId, JsonObject? meta, ReadOnlyMemory<byte> raw)
        {
            var rootText = root is null ? null : DatasetRecords.String(root, "text");
            return new ImportedConversation
            {
                Record = new ConversationRecord
                {
                    Format = FormatName,
                    Source = SourceName,
                    SourceId = treeId,
                    Title = DatasetRecords.Title(rootText),
                    Created = nodes.Count > 0 ? nodes[0].Created : null,
                    Meta = meta,
                },
                Nodes = nodes,
                Raw = raw,
                Models = [.. models.Values],
            };
        }

        private Node ToNode(JsonObject m, string messageId, string? parent, string? parentMessage)
        {
            var text = m["text"] switch
            {
                null => string.Empty,
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                _ => throw new FormatException("\"text\" is not a string"),
            };
            var role = DatasetRecords.String(m, "role") switch
            {
                "prompter" => "user",
                { } r => r,
                null => throw new FormatException("\"role\" is missing or not a string"),
            };

            var flags = new List<string>();
            if (m["deleted"] is JsonValue d && d.GetValueKind() == JsonValueKind.True)
            {
                flags.Add(NodeFlags.Hidden);
            }

            if (text.Length == 0)
            {
                flags.Add(NodeFlags.Empty);
            }

            var meta = new JsonObject { ["source_id"] = messageId };
            foreach (var (key, value) in m)
            {
                if (value is not null && !Modelled.Contains(key))
                {
                    meta[key] = value.DeepClone();
                }
            }

            var created = DatasetRecords.Rfc3339(DatasetRecords.String(m, "created_date"));
            if (created is null && m["created_date"] is { } rawCreated)
            {
                meta["created_date"] = rawCreated.DeepClone();
            }

            // parent_id is implied by the tree unless it disagrees with it.
            if (m["parent_id"] is { } parentId && DatasetRecords.String(m, "parent_id") != parentMessage)
            {
                meta["parent_id"] = parentId.DeepClone();
            }

            GenerationRecord? generation = null;
            if (DatasetRecords.String(m, "model_name") is { } modelName)
            {
                var model = new ModelReference { Provider = SourceName, Requested = modelName };
                models.TryAdd(model.Id, model);
                generation = new GenerationRecord { Model = model.Id };
            }
            else if (m["model_name"] is { } other)
            {
                meta["model_name"] = other.DeepClone();
            }

            return new Node
            {
                Parent = parent,
                Role = role,
                Content = text.Length > 0 ? [new TextBlock(text)] : [],
                Created = created,
                Generation = generation,
                Flags = flags,
                Meta = meta,
            };
        }
    }
}

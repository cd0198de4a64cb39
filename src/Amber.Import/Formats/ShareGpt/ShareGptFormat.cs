using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;

namespace Amber.Import.Formats.ShareGpt;

/// <summary>
/// ShareGPT datasets: a JSON array (or JSON Lines) of records {"conversations": [{"from", "value"}], "system"?,
/// "tools"?}, including the LLaMA-Factory tool form (function_call / observation turns) and the preference
/// form whose "chosen" and "rejected" answers follow the shared turns: one conversation per record, with two
/// leaves for a preference pair. Source ids: the record's "id", else the hash of its canonical JSON.
/// </summary>
public sealed class ShareGptFormat : IConversationFormat
{
    public const string FormatName = "sharegpt";

    private const string Provider = "sharegpt";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "ShareGPT records (JSON Lines or an array), each with \"conversations\": [{\"from\", \"value\"}, …]",
        null,
        ["conversations", "id"]);

    public int DetectionOrder => 50;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
    {
        if (RecordShape.Read(head) is not { } shape)
        {
            return false;
        }

        if (shape.Has("conversations", JsonTokenType.StartArray))
        {
            var keys = shape.ChildKeys("conversations");
            return keys.Count == 0 || keys.Contains("from") || keys.Contains("value") || (keys.Contains("role") && keys.Contains("content"));
        }

        // LLaMA-Factory lets a ShareGPT dataset name its list "messages"; the from/value keys still tell it apart.
        return shape.Has("messages", JsonTokenType.StartArray) && shape.ChildKeys("messages").Contains("from");
    }

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        var ids = new DatasetRecordIds();
        var source = "sharegpt:" + input.FileName;
        foreach (var record in DatasetRecords.Read(input, cancellationToken))
        {
            var o = DatasetRecords.ParseObject(input, record);
            var sourceId = DatasetRecords.OwnId(o) ?? ids.Next(input, record);
            var where = $"conversation {sourceId} ({record.Where})";
            yield return Convert(input, where, source, sourceId, o, record.Bytes);
        }
    }

    private static ImportedConversation Convert(ImportInput input, string where, string source, string sourceId, JsonObject o, ReadOnlyMemory<byte> raw)
    {
        var listName = o.ContainsKey("conversations") ? "conversations" : "messages";
        if (o[listName] is not JsonArray turns)
        {
            throw ImportException.At(input, where, "not a ShareGPT record: no \"conversations\" array");
        }

        try
        {
            var nodes = new List<Node>();
            string? parent = null;
            string? title = null;

            Node Add(Node node)
            {
                nodes.Add(node);
                return node;
            }

            if (o["system"] is { } system)
            {
                var text = system.GetValueKind() == JsonValueKind.String ? system.GetValue<string>() : throw new FormatException("\"system\" is not a string");
                parent = Add(new Node
                {
                    Role = "system",
                    Content = text.Length > 0 ? [new TextBlock(text)] : [],
                    Flags = text.Length > 0 ? [NodeFlags.System] : [NodeFlags.System, NodeFlags.Empty],
                    Meta = new JsonObject { ["source_id"] = sourceId + "#system" },
                }).ComputeId();
            }

            for (var i = 0; i < turns.Count; i++)
            {
                var node = ToNode(turns[i], parent, $"{sourceId}#{i}", null, $"turn {i}");
                if (title is null && node.Role == "user")
                {
                    title = DatasetRecords.Title(node.SearchText);
                }

                parent = Add(node).ComputeId();
            }

            // Preference pairs: each answer (one turn or several) continues the shared turns.
            foreach (var side in (ReadOnlySpan<string>)["chosen", "rejected"])
            {
                if (o[side] is not { } answer)
                {
                    continue;
                }

                List<JsonNode?> answerTurns = answer switch
                {
                    JsonArray a => [.. a],
                    JsonObject => [answer],
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => [new JsonObject { ["from"] = "gpt", ["value"] = v.GetValue<string>() }],
                    _ => throw new FormatException($"\"{side}\" is neither a turn, a list of turns nor a string"),
                };
                var at = parent;
                for (var j = 0; j < answerTurns.Count; j++)
                {
                    // A bare string answer is stored as a gpt turn; its meta says so.
                    var synthetic = answer is JsonValue;
                    var node = ToNode(answerTurns[j], at, $"{sourceId}#{side}.{j}", j == 0 ? side : null, $"{side} turn {j}");
                    if (synthetic)
                    {
                        node.Meta!.Remove("from");
                        node.Meta["answer_string"] = true;
                    }

                    at = Add(node).ComputeId();
                }
            }

            return new ImportedConversation
            {
                Record = new ConversationRecord
                {
                    Format = FormatName,
                    Source = source,
                    SourceId = sourceId,
                    Title = title,
                    Meta = DatasetRecords.Rest(o, listName, "system", "chosen", "rejected", "id"),
                },
                Nodes = nodes,
                Raw = raw,
            };
        }
        catch (Exception e) when (e is FormatException or CanonicalJsonException or InvalidOperationException)
        {
            throw ImportException.At(input, where, e.Message, e);
        }
    }

    private static Node ToNode(JsonNode? turn, string? parent, string sourceId, string? preference, string what)
    {
        if (turn is not JsonObject t)
        {
            throw new FormatException($"{what} is not an object");
        }

        var from = DatasetRecords.String(t, "from") ?? DatasetRecords.String(t, "role") ?? throw new FormatException($"{what} has no \"from\"");
        var valueKey = t.ContainsKey("value") ? "value" : "content";
        var value = t[valueKey];
        var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

        var meta = DatasetRecords.Rest(t, valueKey) ?? [];
        meta["source_id"] = sourceId;
        if (preference is not null)
        {
            meta["preference"] = preference;
        }

        var (role, content) = from switch
        {
            "human" or "user" => ("user", Text(text, value)),
            "gpt" or "assistant" or "chatgpt" or "bing" or "bard" or "model" => ("assistant", Text(text, value)),
            "system" => ("system", Text(text, value)),
            "function_call" or "tool_call" => ("assistant", text is null ? Text(text, value) : ToolCallText.Parse(text, Provider, from)),
            "observation" or "function" or "tool" or "tool_response" => ("tool", (IReadOnlyList<ContentBlock>)[new ToolResultBlock(null, Text(text, value))]),
            _ => (from, Text(text, value)),
        };

        var flags = new List<string>();
        if (role == "system")
        {
            flags.Add(NodeFlags.System);
        }

        if (value is null || text?.Length == 0)
        {
            flags.Add(NodeFlags.Empty);
        }

        return new Node { Parent = parent, Role = role, Content = content, Flags = flags, Meta = meta };
    }

    private static IReadOnlyList<ContentBlock> Text(string? text, JsonNode? value) => (text, value) switch
    {
        (null, null) => [],
        (null, _) => [new OpaqueBlock(Provider, "value", value.DeepClone())],
        ("", _) => [],
        _ => [new TextBlock(text)],
    };
}

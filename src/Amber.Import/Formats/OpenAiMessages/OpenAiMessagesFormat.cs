using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Formats.OpenWebUi;
using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Formats.OpenAiMessages;

/// <summary>
/// OpenAI-style message datasets (JSON Lines or a JSON array): records {"messages": [{"role", "content"}], …}
/// whose content is a string or a list of typed parts, with tool calls on assistant messages and tool results
/// in tool messages. One conversation per record, a linear chain of its messages; the record's other fields
/// (a KTO "label", "tools", …) go into the conversation's meta. Source ids: the record's "id", else the hash
/// of its canonical JSON.
/// </summary>
public sealed class OpenAiMessagesFormat : IConversationFormat
{
    public const string FormatName = "openai-jsonl";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "OpenAI chat records (JSON Lines or an array), each with \"messages\": [{\"role\", \"content\"}, …]",
        null,
        ["messages"]);

    public int DetectionOrder => 60;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
    {
        if (RecordShape.Read(head) is not { } shape || !shape.Has("messages", JsonTokenType.StartArray) || OpenWebUiFormat.IsChat(shape))
        {
            return false; // an Open WebUI chat's "messages" is a linear copy of its tree: never take it for a dataset record
        }

        var keys = shape.ChildKeys("messages");
        return !keys.Contains("from") && !keys.Overlaps(["parentId", "childrenIds"]) && (keys.Count == 0 || keys.Contains("role"));
    }

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        var ids = new DatasetRecordIds();
        var source = "openai-jsonl:" + input.FileName;
        foreach (var record in DatasetRecords.Read(input, cancellationToken))
        {
            var o = DatasetRecords.ParseObject(input, record);
            var sourceId = DatasetRecords.OwnId(o) ?? ids.Next(input, record);
            yield return Convert(input, $"conversation {sourceId} ({record.Where})", source, sourceId, o, record.Bytes);
        }
    }

    private static ImportedConversation Convert(ImportInput input, string where, string source, string sourceId, JsonObject o, ReadOnlyMemory<byte> raw)
    {
        if (o["messages"] is not JsonArray messages)
        {
            throw ImportException.At(input, where, "not a messages record: no \"messages\" array");
        }

        try
        {
            var parts = new OpenAiParts();
            var nodes = new List<Node>();
            string? parent = null;
            string? title = null;
            for (var i = 0; i < messages.Count; i++)
            {
                var node = ToNode(messages[i] as JsonObject ?? throw new FormatException($"message {i} is not an object"), i, parent, $"{sourceId}#{i}", parts);
                if (title is null && node.Role == "user")
                {
                    title = DatasetRecords.Title(node.SearchText);
                }

                nodes.Add(node);
                parent = node.ComputeId();
            }

            return new ImportedConversation
            {
                Record = new ConversationRecord
                {
                    Format = FormatName,
                    Source = source,
                    SourceId = sourceId,
                    Title = title,
                    Meta = DatasetRecords.Rest(o, "messages", "id"),
                },
                Nodes = nodes,
                Raw = raw,
                Blobs = parts.Blobs,
            };
        }
        catch (Exception e) when (e is FormatException or CanonicalJsonException or InvalidOperationException)
        {
            throw ImportException.At(input, where, e.Message, e);
        }
    }

    private static Node ToNode(JsonObject m, int index, string? parent, string sourceId, OpenAiParts parts)
    {
        var role = DatasetRecords.String(m, "role") ?? throw new FormatException($"message {index} has no \"role\"");
        var consumed = new List<string> { "role", "content" };
        var content = new List<ContentBlock>();

        // Reasoning stated beside the content (reasoning_content, as DeepSeek-style datasets write it).
        if (DatasetRecords.String(m, "reasoning_content") is { } reasoning)
        {
            content.Add(new ThinkingBlock(reasoning));
            consumed.Add("reasoning_content");
        }

        content.AddRange(parts.Content(m["content"]));

        if (m["tool_calls"] is JsonArray calls)
        {
            consumed.Add("tool_calls");
            content.AddRange(calls.Select(c => c is JsonObject call && ToolCallText.FromObject(call) is { } block
                ? (ContentBlock)block
                : new OpaqueBlock(OpenAiParts.Provider, "tool_call", c?.DeepClone())));
        }

        if (m["function_call"] is JsonObject legacy)
        {
            consumed.Add("function_call");
            content.Add(ToolCallText.FromObject(legacy) is { } block ? block : new OpaqueBlock(OpenAiParts.Provider, "function_call", legacy.DeepClone()));
        }

        if (role is "tool" or "function" && !content.Any(c => c is ToolResultBlock))
        {
            var callId = DatasetRecords.String(m, "tool_call_id");
            if (callId is not null)
            {
                consumed.Add("tool_call_id");
            }

            content = [new ToolResultBlock(callId, content)];
        }

        var meta = DatasetRecords.Rest(m, [.. consumed]) ?? [];
        meta["source_id"] = sourceId;
        var flags = new List<string>();
        if (role is "system" or "developer")
        {
            flags.Add(NodeFlags.System);
        }

        if (content.Count == 0 || (content is [ToolResultBlock { Content.Count: 0 }]))
        {
            flags.Add(NodeFlags.Empty);
        }

        return new Node { Parent = parent, Role = role, Content = content, Flags = flags, Meta = meta };
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Formats.Codex;

/// <summary>
/// One Codex session being read: its response items as node drafts, the model of the current turn, and the
/// lines it did not map. Usage arrives after the items it covers, so nodes are built only at the end.
/// </summary>
internal sealed class CodexSession(string sessionId, JsonObject meta, long offset, string? Created)
{
    private const string Provider = "openai";

    /// <summary>What a turn_context line maps: the turn's id (in its nodes' meta), model and reasoning settings (their generation).</summary>
    private static readonly MappedFields TurnContextFields = new("turn_context", "turn_id", "model", "effort", "summary");

    /// <summary>A text part of a message becomes a text block: its text, and its type (told by the role) are mapped.</summary>
    private static readonly MappedFields TextPartFields = new("message.content[]", "type", "text");

    private static readonly MappedFields ReasoningSummaryFields = new("reasoning.summary[]", "type", "text");

    private static readonly MappedFields ReasoningContentFields = new("reasoning.content[]", "type", "text");

    /// <summary>A tool output given as an object becomes a text block of its content.</summary>
    private static readonly MappedFields OutputFields = new("function_call_output.output", "content");

    private readonly List<Draft> drafts = [];
    private readonly SortedDictionary<string, int> notMapped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModelReference> models = new(StringComparer.Ordinal);
    private readonly List<string> unmapped = [];
    private readonly string provider = DatasetRecords.String(meta, "model_provider") ?? Provider;
    private ModelReference? model;
    private JsonObject? parameters;
    private string? turnId;
    private string? title;

    /// <summary>Index of the first generated draft not yet covered by a token_count.</summary>
    private int uncounted = -1;

    public string SessionId => sessionId;

    /// <summary>Byte offset of the session_meta line in the file.</summary>
    public long Offset => offset;

    public void NotMapped(string what) => notMapped[what] = notMapped.GetValueOrDefault(what) + 1;

    public void Add(string type, JsonObject payload, string? created, int line)
    {
        switch (type)
        {
            case "turn_context":
                uncounted = -1;
                TurnContext(payload);
                break;
            case "response_item":
                Item(payload, created, line);
                break;
            case "event_msg" when DatasetRecords.String(payload, "type") == "token_count":
                TokenCount(payload);
                break;
            case "event_msg":
                var kind = DatasetRecords.String(payload, "type");
                if (kind == "user_message" && title is null)
                {
                    title = DatasetRecords.Title(DatasetRecords.String(payload, "message"));
                }

                if (kind is "task_started" or "task_complete" or "turn_aborted" or "user_message")
                {
                    // The model call is over: its items are final even without a token count.
                    uncounted = -1;
                }

                NotMapped($"event_msg/{kind}");
                break;
            default:
                NotMapped(type);
                break;
        }
    }

    private void TurnContext(JsonObject payload)
    {
        turnId = DatasetRecords.String(payload, "turn_id");
        unmapped.AddRange(TurnContextFields.Unmapped(payload));
        var name = DatasetRecords.String(payload, "model");
        model = name is null ? null : new ModelReference { Provider = provider, Requested = name };
        if (model is not null)
        {
            models.TryAdd(model.Id, model);
        }

        parameters = null;
        foreach (var (from, to) in new[] { ("effort", "reasoning_effort"), ("summary", "reasoning_summary") })
        {
            if (payload[from] is JsonValue v)
            {
                parameters ??= [];
                parameters[to] = v.DeepClone();
            }
        }
    }

    private void TokenCount(JsonObject payload)
    {
        if (payload["info"] is not JsonObject info || info["last_token_usage"] is not JsonObject usage || uncounted < 0)
        {
            NotMapped("event_msg/token_count (no new output)");
            return;
        }

        var last = drafts.FindLastIndex(d => d.Generated);
        drafts[last].Usage = usage.DeepClone().AsObject();
        uncounted = -1;
    }

    private void Item(JsonObject payload, string? created, int line)
    {
        var itemType = DatasetRecords.String(payload, "type") ?? throw new FormatException("a response_item without \"type\"");
        var content = new List<ContentBlock>();
        var consumed = new List<string> { "type" };
        string role;
        var generated = true;
        switch (itemType)
        {
            case "message":
                role = DatasetRecords.String(payload, "role") ?? throw new FormatException("a message item without \"role\"");
                consumed.AddRange(["role", "content"]);
                content.AddRange(Parts(payload["content"]));
                generated = role == "assistant";
                if (role == "user" && title is null && content.OfType<TextBlock>().FirstOrDefault(b => !b.Text.StartsWith('<')) is { } first)
                {
                    title = DatasetRecords.Title(first.Text);
                }

                break;
            case "reasoning":
                role = "assistant";
                consumed.AddRange(["summary", "content", "encrypted_content"]);
                foreach (var (part, fields) in (payload["summary"] as JsonArray ?? []).Select(p => (p, ReasoningSummaryFields)).Concat((payload["content"] as JsonArray ?? []).Select(p => (p, ReasoningContentFields))))
                {
                    if (part is JsonObject p && DatasetRecords.String(p, "text") is { } text)
                    {
                        content.Add(new ThinkingBlock(text));
                        unmapped.AddRange(fields.Unmapped(p));
                    }
                    else
                    {
                        content.Add(new OpaqueBlock(Provider, "reasoning_part", part?.DeepClone()));
                    }
                }

                if (payload["encrypted_content"] is JsonValue encrypted)
                {
                    content.Add(new OpaqueBlock(Provider, "encrypted_reasoning", encrypted.DeepClone()));
                }

                break;
            case "function_call" or "custom_tool_call" or "local_shell_call":
                role = "assistant";
                var argumentsKey = itemType switch { "function_call" => "arguments", "custom_tool_call" => "input", _ => "action" };
                consumed.AddRange(["call_id", "name", argumentsKey]);
                content.Add(new ToolCallBlock(
                    DatasetRecords.String(payload, "call_id"),
                    DatasetRecords.String(payload, "name") ?? (itemType == "local_shell_call" ? "local_shell" : throw new FormatException($"a {itemType} without \"name\"")),
                    payload[argumentsKey]?.DeepClone()));
                break;
            case "function_call_output" or "custom_tool_call_output":
                role = "tool";
                generated = false;
                consumed.AddRange(["call_id", "output"]);
                content.Add(new ToolResultBlock(DatasetRecords.String(payload, "call_id"), Output(payload["output"])));
                if (payload["output"] is JsonObject output && DatasetRecords.String(output, "content") is not null)
                {
                    unmapped.AddRange(OutputFields.Unmapped(output));
                }
                break;
            default:
                // web_search_call, compaction items and whatever later versions add: kept whole, never dropped.
                role = DatasetRecords.String(payload, "role") ?? "assistant";
                generated = role == "assistant";
                content.Add(new OpaqueBlock(Provider, itemType, payload.DeepClone()));
                consumed = [.. payload.Select(p => p.Key)];
                break;
        }

        var nodeMeta = DatasetRecords.Rest(payload, [.. consumed]) ?? [];
        nodeMeta["item_type"] = itemType;
        nodeMeta["line"] = line;
        if (generated && turnId is not null)
        {
            nodeMeta["turn_id"] = turnId;
        }

        var flags = new List<string>();
        if (role is "system" or "developer")
        {
            flags.Add(NodeFlags.System);
        }

        if (content.Count == 0)
        {
            flags.Add(NodeFlags.Empty);
        }

        if (!generated && uncounted >= 0)
        {
            // The model call ended without a token count: its items are final as they are.
            uncounted = -1;
        }

        if (generated && uncounted < 0)
        {
            uncounted = drafts.Count;
        }

        drafts.Add(new Draft(role, content, created, flags, nodeMeta, generated, generated ? model : null, generated ? parameters : null));
    }

    private List<ContentBlock> Parts(JsonNode? content)
    {
        if (content is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return [new TextBlock(v.GetValue<string>())];
        }

        var blocks = new List<ContentBlock>();
        foreach (var p in content as JsonArray ?? [])
        {
            if (p is JsonObject o && DatasetRecords.String(o, "type") is "input_text" or "output_text" && DatasetRecords.String(o, "text") is { } text)
            {
                blocks.Add(new TextBlock(text));
                unmapped.AddRange(TextPartFields.Unmapped(o));
            }
            else
            {
                blocks.Add(new OpaqueBlock(Provider, p is JsonObject po ? DatasetRecords.String(po, "type") ?? "part" : "part", p?.DeepClone()));
            }
        }

        return blocks;
    }

    private static List<ContentBlock> Output(JsonNode? output) => output switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [new TextBlock(v.GetValue<string>())],
        JsonObject o when DatasetRecords.String(o, "content") is { } text => [new TextBlock(text)],
        null => [],
        _ => [new OpaqueBlock(Provider, "output", output.DeepClone())],
    };

    /// <summary>
    /// The conversation. Generated items after the last token count, with nothing after them, are held back (they
    /// stay in the raw lines): the file is still being written, and their usage is on its way. Building them now
    /// would make them different nodes from the ones the next import builds, a duplicate branch.
    /// </summary>
    public ImportedConversation Build(ImportInput input, ReadOnlyMemory<byte> raw)
    {
        var held = uncounted >= 0 ? drafts.Count - uncounted : 0;
        var nodes = new List<Node>(drafts.Count - held);
        string? parent = null;
        foreach (var d in drafts.Take(drafts.Count - held))
        {
            var node = new Node
            {
                Parent = parent,
                Role = d.Role,
                Content = d.Content,
                Created = d.Created,
                Flags = d.Flags,
                Meta = d.Meta,
                Generation = d.Model is null ? null : new GenerationRecord { Model = d.Model.Id, Parameters = d.Parameters?.DeepClone().AsObject(), Usage = d.Usage },
            };
            nodes.Add(node);
            try
            {
                parent = node.ComputeId();
            }
            catch (CanonicalJsonException e)
            {
                // A value JSON allows but a node cannot hold (a number past the double range, such as 1e309): name its line.
                throw ImportException.At(input, $"line {d.Meta["line"]}", e.Message, e);
            }
        }

        var recordMeta = DatasetRecords.Rest(meta, "id", "timestamp") ?? [];
        recordMeta["linear"] = true;
        if (notMapped.Count > 0)
        {
            recordMeta["not_mapped"] = new JsonObject(notMapped.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        }

        if (held > 0)
        {
            recordMeta["held_back_items"] = held;
        }

        return new ImportedConversation
        {
            Record = new ConversationRecord
            {
                Format = CodexFormat.FormatName,
                Source = CodexFormat.SourceName,
                SourceId = sessionId,
                Title = title,
                Created = Created,
                Updated = LatestTime.Of(nodes.Select(n => n.Created).Append(Created)),
                Meta = recordMeta,
            },
            Nodes = nodes,
            Raw = raw,
            Models = [.. models.Values.Where(m => nodes.Any(n => n.Generation?.Model == m.Id))],
            Notes = [.. MappedFields.Notes(unmapped), .. notMapped.SelectMany(kv => Enumerable.Repeat(new ImportNote(ImportNoteKind.UnplacedRecord, $"\"{kv.Key}\" records"), kv.Value))],
        };
    }

    private sealed record Draft(string Role, List<ContentBlock> Content, string? Created, List<string> Flags, JsonObject Meta, bool Generated, ModelReference? Model, JsonObject? Parameters)
    {
        public JsonObject? Usage { get; set; }
    }
}

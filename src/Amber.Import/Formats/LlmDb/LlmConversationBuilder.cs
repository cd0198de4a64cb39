using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Formats.LlmDb;

/// <summary>
/// Builds one conversation from its logs.db rows. The raw form (what `amber show --raw` prints) is the
/// canonical JSON object {"conversation": row|null, "responses": [rows in chain order], and, for each other
/// table with rows that belong to these responses, "&lt;table&gt;": [rows]} — every row keyed by column name,
/// every value as stored (TEXT columns holding JSON stay strings), BLOBs as {"$blob": content id, "size"}.
/// </summary>
internal sealed class LlmConversationBuilder(LlmLogTables tables, ImportInput input, string sourceId)
{
    private readonly List<Node> nodes = [];
    private readonly Dictionary<string, ModelReference> models = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, JsonArray> related = new(StringComparer.Ordinal);
    private readonly HashSet<string> relatedKeys = new(StringComparer.Ordinal);
    private string? parent;
    private string? activeSystem;

    public ImportedConversation Build(JsonObject? conversation, List<JsonObject> responses)
    {
        var where = $"conversation {sourceId}";
        foreach (var response in responses)
        {
            var id = LlmLogTables.Str(response, "id") ?? LlmLogTables.Long(response, "id")?.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (id is null)
            {
                throw ImportException.At(input, where, "a response row has no id");
            }

            try
            {
                AddResponse(id, response);
            }
            catch (Exception e) when (e is FormatException or CanonicalJsonException or InvalidOperationException)
            {
                throw ImportException.At(input, $"{where} (response {id})", e.Message, e);
            }
        }

        var raw = new JsonObject
        {
            ["conversation"] = conversation?.DeepClone(),
            ["responses"] = new JsonArray([.. responses.Select(r => r.DeepClone())]),
        };
        foreach (var (table, rows) in related)
        {
            raw[table] = rows;
        }

        var rawBytes = CanonicalJson.Canonicalize(raw);
        return new ImportedConversation
        {
            Record = new ConversationRecord
            {
                Format = LlmDbFormat.FormatName,
                Source = LlmDbFormat.SourceName,
                SourceId = sourceId,
                Title = conversation is null ? null : LlmLogTables.Str(conversation, "name"),
                Created = nodes.FirstOrDefault()?.Created,
                Meta = conversation is null ? null : DatasetRecords.Rest(conversation, "id", "name"),
            },
            Nodes = nodes,
            Raw = rawBytes,
            Models = [.. models.Values],
            Blobs = TakeBlobs(raw),
        };
    }

    private void AddResponse(string id, JsonObject r)
    {
        var created = DatasetRecords.Rfc3339(LlmLogTables.Str(r, "datetime_utc"));

        // System prompt (with its fragments): a node whenever it changes along the chain.
        var systemFragments = Fragments("system_fragments", id);
        var system = LlmLogTables.Str(r, "system");
        var systemKey = system + "\u0000" + string.Join(',', systemFragments.Select(f => f.Row["hash"]?.ToString()));
        if ((!string.IsNullOrEmpty(system) || systemFragments.Count > 0) && systemKey != activeSystem)
        {
            var content = systemFragments.Select(f => (ContentBlock)new TextBlock(f.Text)).ToList();
            if (!string.IsNullOrEmpty(system))
            {
                content.Add(new TextBlock(system));
            }

            var meta = new JsonObject { ["source_id"] = id + "#system" };
            if (systemFragments.Count > 0)
            {
                meta["fragments"] = FragmentMeta(systemFragments);
            }

            Add(new Node { Parent = parent, Role = "system", Content = content, Created = created, Flags = [NodeFlags.System], Meta = meta });
            activeSystem = systemKey;
        }

        // The prompt: fragments, text, attachments, and the results of the previous turn's tool calls.
        var user = new List<ContentBlock>();
        var userMeta = new JsonObject { ["source_id"] = id + "#prompt" };
        var fragments = Fragments("prompt_fragments", id);
        user.AddRange(fragments.Select(f => new TextBlock(f.Text)));
        if (fragments.Count > 0)
        {
            userMeta["fragments"] = FragmentMeta(fragments);
        }

        if (LlmLogTables.Str(r, "prompt") is { Length: > 0 } prompt)
        {
            user.Add(new TextBlock(prompt));
        }

        var attachmentIds = new JsonArray();
        foreach (var link in Related("prompt_attachments", id))
        {
            if (Attachment(link["attachment_id"]) is { } block)
            {
                user.Add(block);
                attachmentIds.Add(link["attachment_id"]?.DeepClone());
            }
        }

        if (attachmentIds.Count > 0)
        {
            userMeta["attachments"] = attachmentIds;
        }

        foreach (var result in Related("tool_results", id))
        {
            var blocks = new List<ContentBlock>();
            if (LlmLogTables.Str(result, "output") is { Length: > 0 } output)
            {
                blocks.Add(new TextBlock(output));
            }

            foreach (var link in tables.Where("tool_results_attachments", "tool_result_id", result["id"], "\"order\", attachment_id"))
            {
                Keep("tool_results_attachments", link);
                if (Attachment(link["attachment_id"]) is { } block)
                {
                    blocks.Add(block);
                }
            }

            var exception = LlmLogTables.Str(result, "exception");
            if (exception is not null)
            {
                blocks.Add(new TextBlock(exception));
            }

            Keep("tool_instances", tables.ById("tool_instances", result["instance_id"]));
            user.Add(new ToolResultBlock(LlmLogTables.Str(result, "tool_call_id"), blocks, exception is not null));
        }

        if (ParseJson(LlmLogTables.Str(r, "prompt_json")) is { } promptJson)
        {
            userMeta["prompt_json"] = promptJson;
        }

        Add(new Node { Parent = parent, Role = "user", Content = user, Created = created, Flags = user.Count == 0 ? [NodeFlags.Empty] : [], Meta = userMeta });

        // The response: text and tool calls, with the generation record.
        var assistant = new List<ContentBlock>();
        if (LlmLogTables.Str(r, "response") is { Length: > 0 } text)
        {
            assistant.Add(new TextBlock(text));
        }

        foreach (var call in Related("tool_calls", id))
        {
            var arguments = LlmLogTables.Str(call, "arguments");
            assistant.Add(new ToolCallBlock(LlmLogTables.Str(call, "tool_call_id"), LlmLogTables.Str(call, "name") ?? string.Empty, ParseJson(arguments) ?? (arguments is null ? null : JsonValue.Create(arguments))));
        }

        var assistantMeta = new JsonObject { ["source_id"] = id };
        var responseJson = ParseJson(LlmLogTables.Str(r, "response_json"));
        if (responseJson is not null)
        {
            assistantMeta["response_json"] = responseJson;
        }

        Add(new Node
        {
            Parent = parent,
            Role = "assistant",
            Content = assistant,
            Created = created,
            Generation = Generation(id, r, responseJson as JsonObject, assistantMeta),
            Flags = assistant.Count == 0 ? [NodeFlags.Empty] : [],
            Meta = assistantMeta,
        });
    }

    private GenerationRecord? Generation(string id, JsonObject r, JsonObject? responseJson, JsonObject meta)
    {
        if (LlmLogTables.Str(r, "model") is not { } requested)
        {
            return null;
        }

        var resolved = LlmLogTables.Str(r, "resolved_model") ?? (responseJson is null ? null : DatasetRecords.String(responseJson, "model"));
        var model = LlmDbFormat.Model(requested, resolved == requested ? null : resolved, responseJson is null ? null : DatasetRecords.String(responseJson, "system_fingerprint"));
        models.TryAdd(model.Id, model);

        // Parameters: the options as given, plus the tools offered and the output schema.
        JsonObject? parameters = null;
        var options = LlmLogTables.Str(r, "options_json");
        if (options is not null)
        {
            if (ParseJson(options) is JsonObject o)
            {
                parameters = o;
            }
            else
            {
                meta["options_json"] = options;
            }
        }

        var tools = new JsonArray();
        foreach (var link in Related("tool_responses", id))
        {
            if (tables.ById("tools", link["tool_id"]) is { } tool)
            {
                Keep("tools", tool);
                var t = new JsonObject { ["name"] = tool["name"]?.DeepClone(), ["description"] = tool["description"]?.DeepClone() };
                var schema = LlmLogTables.Str(tool, "input_schema");
                t["input_schema"] = ParseJson(schema) ?? (schema is null ? null : JsonValue.Create(schema));
                tools.Add(t);
            }
        }

        if (tools.Count > 0)
        {
            parameters ??= [];
            parameters["tools"] = tools;
        }

        if (tables.ById("schemas", r["schema_id"]) is { } schemaRow)
        {
            Keep("schemas", schemaRow);
            var content = LlmLogTables.Str(schemaRow, "content");
            parameters ??= [];
            parameters["schema"] = ParseJson(content) ?? (content is null ? null : JsonValue.Create(content));
        }

        var usage = new JsonObject();
        if (LlmLogTables.Long(r, "input_tokens") is { } input)
        {
            usage["input_tokens"] = input;
        }

        if (LlmLogTables.Long(r, "output_tokens") is { } output)
        {
            usage["output_tokens"] = output;
        }

        if (LlmLogTables.Str(r, "token_details") is { } details)
        {
            usage["token_details"] = ParseJson(details) ?? JsonValue.Create(details);
        }

        return new GenerationRecord
        {
            Model = model.Id,
            Parameters = parameters,
            Usage = usage.Count > 0 ? usage : null,
            FinishReason = FinishReason(responseJson),
            TotalMs = LlmLogTables.Long(r, "duration_ms"),
        };
    }

    private static string? FinishReason(JsonObject? responseJson)
    {
        if (responseJson is null)
        {
            return null;
        }

        return DatasetRecords.String(responseJson, "finish_reason") ?? DatasetRecords.String(responseJson, "stop_reason")
            ?? (responseJson["choices"] is JsonArray { Count: > 0 } choices && choices[0] is JsonObject choice ? DatasetRecords.String(choice, "finish_reason") : null);
    }

    private ContentBlock? Attachment(JsonNode? attachmentId)
        => tables.ById("attachments", attachmentId) is { } row ? AttachmentBlock(row) : null;

    /// <summary>Stored content becomes a blob; an attachment kept only as a path or URL stays an opaque block.</summary>
    private ContentBlock AttachmentBlock(JsonObject row)
    {
        Keep("attachments", row);
        var type = LlmLogTables.Str(row, "type");
        if (row["content"] is JsonObject { } blob && DatasetRecords.String(blob, "$blob") is { } blobId)
        {
            var path = LlmLogTables.Str(row, "path");
            var kind = type switch
            {
                { } t when t.StartsWith("image/", StringComparison.Ordinal) => "image",
                { } t when t.StartsWith("audio/", StringComparison.Ordinal) => "audio",
                _ => "attachment",
            };
            return new BlobBlock(kind, blobId, type, path is null ? null : Path.GetFileName(path), LlmLogTables.Long(blob, "size"));
        }

        var value = row.DeepClone().AsObject();
        if (value["content"] is null)
        {
            value.Remove("content");
        }
        return new OpaqueBlock(LlmDbFormat.SourceName, "attachment", value);
    }

    private List<(JsonObject Row, string Text)> Fragments(string table, string responseId)
    {
        var list = new List<(JsonObject, string)>();
        foreach (var link in Related(table, responseId))
        {
            if (tables.ById("fragments", link["fragment_id"]) is { } fragment)
            {
                Keep("fragments", fragment);
                list.Add((fragment, LlmLogTables.Str(fragment, "content") ?? string.Empty));
            }
        }

        return list;
    }

    private static JsonArray FragmentMeta(List<(JsonObject Row, string Text)> fragments)
        => new([.. fragments.Select(f => (JsonNode)new JsonObject { ["hash"] = f.Row["hash"]?.DeepClone(), ["source"] = f.Row["source"]?.DeepClone() })]);

    private IReadOnlyList<JsonObject> Related(string table, string responseId)
    {
        var rows = tables.ForResponse(table, responseId);
        foreach (var row in rows)
        {
            Keep(table, row);
        }

        return rows;
    }

    /// <summary>Adds a row to the raw form (once per table and row).</summary>
    private void Keep(string table, JsonObject? row)
    {
        if (row is null || !relatedKeys.Add(table + "\u0000" + row.ToJsonString()))
        {
            return;
        }

        if (!related.TryGetValue(table, out var rows))
        {
            related[table] = rows = [];
        }

        rows.Add(row.DeepClone());
    }

    private void Add(Node node)
    {
        nodes.Add(node);
        parent = node.ComputeId();
    }

    /// <summary>The bytes of the BLOB values the raw form names, taken out of the reader's buffer.</summary>
    private List<ReadOnlyMemory<byte>> TakeBlobs(JsonNode raw)
    {
        var found = new List<ReadOnlyMemory<byte>>();
        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o when o.Count == 2 && DatasetRecords.String(o, "$blob") is { } id:
                    if (tables.Blobs.Remove(id, out var bytes))
                    {
                        found.Add(bytes);
                    }

                    break;
                case JsonObject o:
                    foreach (var (_, v) in o)
                    {
                        Walk(v);
                    }

                    break;
                case JsonArray a:
                    foreach (var v in a)
                    {
                        Walk(v);
                    }

                    break;
            }
        }

        Walk(raw);
        return found;
    }

    private static JsonNode? ParseJson(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 });
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

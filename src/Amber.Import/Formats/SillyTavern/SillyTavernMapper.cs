using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats.ChatApps;
using Amber.Import.Json;

namespace Amber.Import.Formats.SillyTavern;

/// <summary>
/// Normalizes one SillyTavern chat file. Messages are chained in file order (they carry no ids or parent links);
/// a message's swipes become sibling nodes under the same parent, in swipe order, and the next message hangs
/// under the chosen swipe (swipe_id), so the chosen swipes form the main path and the others are leaves.
/// </summary>
internal static class SillyTavernMapper
{
    /// <summary>Message members that become the node's own fields or are split per swipe; the rest stays in the chosen node's meta.</summary>
    private static readonly string[] Split = ["mes", "swipes", "swipe_id", "swipe_info"];

    public static ImportedConversation Map(ImportInput input, CancellationToken ct)
    {
        byte[] raw;
        using (var s = input.Open())
        using (var ms = new MemoryStream())
        {
            s.CopyTo(ms);
            raw = ms.ToArray();
        }

        JsonObject? header = null;
        var nodes = new List<Node>();
        var models = new Dictionary<string, ModelReference>(StringComparer.Ordinal);
        string? parent = null;
        foreach (var record in JsonRecordReader.ReadJsonLines(input, ct))
        {
            try
            {
                var o = ChatAppJson.ParseObject(record.Bytes.Span) ?? throw ImportException.At(input, record.Where, "not a JSON object");
                if (header is null)
                {
                    if (ChatAppJson.String(o, "user_name") is null || ChatAppJson.String(o, "character_name") is null)
                    {
                        throw ImportException.At(input, record.Where, "not a SillyTavern chat: the first line must be the chat's metadata {user_name, character_name, …}");
                    }

                    header = o;
                    continue;
                }

                if (o["mes"] is not JsonValue mes || mes.GetValueKind() != JsonValueKind.String)
                {
                    throw ImportException.At(input, record.Where, "not a SillyTavern message: missing or non-string \"mes\"" + (ChatAppJson.String(o, "user_name") is not null ? " (a second chat header?)" : ""));
                }

                parent = Message(input, record, o, parent, nodes, models);
            }
            catch (Exception e) when (ChatAppJson.IsRecordError(e))
            {
                throw ImportException.At(input, record.Where, e.Message, e);
            }
        }

        if (header is null)
        {
            throw ImportException.At(input, "line 1", "not a SillyTavern chat: the file is empty");
        }

        var character = ChatAppJson.String(header, "character_name")!;
        var createDate = header["create_date"];
        var created = createDate is JsonValue cd && cd.GetValueKind() == JsonValueKind.String ? cd.GetValue<string>() : createDate?.ToJsonString();
        return new ImportedConversation
        {
            Record = new ConversationRecord
            {
                Format = SillyTavernFormat.FormatName,
                Source = SillyTavernFormat.SourceName,

                // The file names no id; the character and the chat's creation date stay as the chat grows.
                SourceId = $"{character}/{created ?? input.FileName}",
                Title = character.Length > 0 ? character : null,
                Created = ChatAppJson.EpochTime(header["create_date"]) ?? ZonedTime(header["create_date"]),
                Meta = header.DeepClone().AsObject(),
            },
            Nodes = nodes,
            Raw = raw,
            Models = [.. models.Values],
        };
    }

    /// <summary>Adds the nodes of one message (one per swipe) and returns the id of the one the chat goes on from.</summary>
    private static string Message(ImportInput input, JsonRecord record, JsonObject o, string? parent, List<Node> nodes, Dictionary<string, ModelReference> models)
    {
        var isUser = o["is_user"] is JsonValue u && u.GetValueKind() == JsonValueKind.True;
        var isSystem = o["is_system"] is JsonValue y && y.GetValueKind() == JsonValueKind.True;
        var role = isUser ? "user" : isSystem ? "system" : "assistant";
        var swipes = o["swipes"] as JsonArray;
        var chosen = o["swipe_id"] is JsonValue sid && sid.TryGetValue(out int n) ? n : 0;
        if (swipes is not { Count: > 0 })
        {
            var only = Node(record, role, parent, (string)o["mes"]!, o, ChatAppJson.Rest(o, Split) ?? [], models);
            nodes.Add(only);
            return only.ComputeId();
        }

        if (chosen < 0 || chosen >= swipes.Count)
        {
            throw ImportException.At(input, record.Where, $"swipe_id {chosen} is outside its {swipes.Count} swipes");
        }

        var info = o["swipe_info"] as JsonArray;
        string? next = null;
        for (var i = 0; i < swipes.Count; i++)
        {
            var swipeInfo = info is not null && i < info.Count ? info[i] as JsonObject : null;
            Node node;
            if (i == chosen)
            {
                // The chosen swipe is the message as shown: its own text, date and extra.
                var meta = ChatAppJson.Rest(o, Split) ?? [];
                meta["swipe_index"] = i;
                node = Node(record, role, parent, (string)o["mes"]!, o, meta, models);
                next = node.ComputeId();
            }
            else
            {
                var text = swipes[i] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : throw ImportException.At(input, record.Where, $"swipe {i} is not a string");
                var meta = new JsonObject { ["swipe_index"] = i, ["name"] = o["name"]?.DeepClone(), ["is_user"] = isUser };
                if (swipeInfo is not null)
                {
                    meta["swipe_info"] = swipeInfo.DeepClone();
                }

                node = Node(record, role, parent, text, swipeInfo ?? [], meta, models);
            }

            nodes.Add(node);
        }

        return next!;
    }

    /// <param name="source">The object whose send_date and extra describe this node (the message, or its swipe's swipe_info entry).</param>
    private static Node Node(JsonRecord record, string role, string? parent, string text, JsonObject source, JsonObject meta, Dictionary<string, ModelReference> models)
    {
        meta["line"] = record.Line;
        var extra = source["extra"] as JsonObject;
        var content = new List<ContentBlock>();
        if (extra is not null && ChatAppJson.String(extra, "reasoning") is { Length: > 0 } reasoning)
        {
            content.Add(new ThinkingBlock(reasoning));
        }

        if (text.Length > 0)
        {
            content.Add(new TextBlock(text));
        }

        GenerationRecord? generation = null;
        if (role == "assistant")
        {
            var model = extra is null ? null : ChatAppJson.String(extra, "model");
            if (model is null)
            {
                meta["model_unknown"] = true;
            }
            else
            {
                var reference = new ModelReference { Provider = ChatAppJson.String(extra!, "api") ?? SillyTavernFormat.SourceName, Requested = model };
                models[reference.Id] = reference;
                generation = new GenerationRecord
                {
                    Model = reference.Id,
                    Usage = extra!["token_count"] is JsonValue tc && tc.GetValueKind() == JsonValueKind.Number ? new JsonObject { ["token_count"] = tc.DeepClone() } : null,
                    TotalMs = DurationMs(source["gen_started"], source["gen_finished"]),
                };
            }
        }

        return new Node
        {
            Parent = parent,
            Role = role,
            Content = content,
            Created = ZonedTime(source["send_date"]) ?? ChatAppJson.EpochTime(source["send_date"]),
            Generation = generation,
            Flags = role == "system" ? [NodeFlags.System] : content.Count == 0 ? [NodeFlags.Empty] : [],
            Meta = meta,
        };
    }

    /// <summary>
    /// An ISO 8601 time that names its zone, as RFC 3339 UTC. SillyTavern has also written local times without a
    /// zone ("2023-4-21 @20h 02m 47s 124ms", "January 1, 2024 12:00pm"): those are kept as written in meta only.
    /// </summary>
    private static string? ZonedTime(JsonNode? value)
    {
        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        var text = v.GetValue<string>();
        var t = text.IndexOf('T', StringComparison.Ordinal);
        var zoned = t > 0 && (text.EndsWith('Z') || text.AsSpan(t).IndexOfAny('+', '-') > 0);
        return zoned ? ChatAppJson.IsoTime(text) : null;
    }

    private static long? DurationMs(JsonNode? started, JsonNode? finished)
        => Amber.Core.Time.Timestamps.Parse(ZonedTime(started)) is { } a && Amber.Core.Time.Timestamps.Parse(ZonedTime(finished)) is { } b && b >= a
            ? (long)(b - a).TotalMilliseconds
            : null;
}

using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats.Claude;

namespace Amber.Import.Formats.ClaudeCode;

/// <summary>
/// Maps one record of a session to a node. The node depends only on its own line and its parent, never on
/// later lines, so a file that grows maps its earlier lines to the same nodes and a re-import adds only the new.
/// </summary>
internal static class ClaudeCodeNodeMapper
{
    /// <summary>The model Claude Code names on messages it wrote itself (interruptions, API errors), not a model's turn.</summary>
    public const string SyntheticModel = "<synthetic>";

    public const string SyntheticFlag = "synthetic";

    /// <summary>Message members mapped to the node; the rest of "message" is kept in meta.message.</summary>
    private static readonly string[] MappedMessageMembers = ["role", "content"];

    private static readonly string[] GenerationMembers = ["model", "usage", "stop_reason"];

    public static Node Map(ClaudeCodeLine line, string? parent, bool parentResolved, string sessionId, Dictionary<string, ModelReference> models, Func<string, ImportException> fail)
    {
        var o = line.Json;
        var type = line.Type ?? "unknown";
        var message = o["message"] as JsonObject;
        if (o["message"] is { } m && message is null)
        {
            throw fail("\"message\" is not a JSON object");
        }

        var role = (message is not null ? ClaudeCodeLines.String(message, "role") : null) ?? type;
        var meta = new JsonObject { ["source_id"] = line.Uuid };
        var content = new List<ContentBlock>();
        var flags = new List<string>();

        switch (message?["content"] ?? (message is null ? o["content"] : null))
        {
            case null:
                break;
            case JsonValue v when v.TryGetValue(out string? text):
                content.Add(new TextBlock(text));
                break;
            case JsonArray blocks:
                ClaudeContent.Blocks(blocks, content, meta, i => fail($"content block {i} is not a JSON object"));
                break;

            default:
                throw fail("\"content\" is neither a string nor an array");
        }

        GenerationRecord? generation = null;
        if (message is not null && role == "assistant" && ClaudeCodeLines.String(message, "model") is { } model)
        {
            if (model == SyntheticModel)
            {
                flags.Add(SyntheticFlag);
            }
            else
            {
                var reference = new ModelReference { Provider = "anthropic", Requested = model };
                models.TryAdd(reference.Id, reference);
                generation = new GenerationRecord
                {
                    Model = reference.Id,
                    Usage = message["usage"] as JsonObject is { } usage ? (JsonObject)usage.DeepClone() : null,
                    FinishReason = ClaudeCodeLines.String(message, "stop_reason"),
                };
            }
        }

        if (message is not null)
        {
            var rest = new JsonObject();
            foreach (var (key, value) in message)
            {
                var mapped = MappedMessageMembers.Contains(key)
                    || (generation is not null && GenerationMembers.Contains(key) && (key != "usage" || value is JsonObject) && (key != "stop_reason" || generation.FinishReason is not null));
                if (!mapped)
                {
                    rest[key] = value?.DeepClone();
                }
            }

            if (rest.Count > 0)
            {
                meta["message"] = rest;
            }
        }

        var timestamp = ClaudeCodeLines.String(o, "timestamp");
        var created = ClaudeTime.Normalize(timestamp);
        foreach (var (key, value) in o)
        {
            var mapped = key switch
            {
                "uuid" or "message" => true,
                "content" => message is null,
                "type" => type == role,
                "parentUuid" => parentResolved,
                "sessionId" => ClaudeCodeLines.String(o, "sessionId") == sessionId,
                "timestamp" => created is not null && created == timestamp,
                _ => false,
            };
            if (!mapped)
            {
                meta[key] = value?.DeepClone();
            }
        }

        if (type == "system")
        {
            flags.Add(NodeFlags.System);
        }

        if (type == "progress" || (o["isMeta"] is JsonValue isMeta && isMeta.TryGetValue(out bool hidden) && hidden))
        {
            flags.Add(NodeFlags.Hidden);
        }

        if (content.All(b => b is TextBlock t && string.IsNullOrWhiteSpace(t.Text)))
        {
            flags.Add(NodeFlags.Empty);
        }

        return new Node
        {
            Parent = parent,
            Role = role,
            Content = content,
            Created = created,
            Generation = generation,
            Flags = flags,
            Meta = meta,
        };
    }
}

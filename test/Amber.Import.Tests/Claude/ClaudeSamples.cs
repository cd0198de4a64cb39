using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Import.Tests.Claude;

/// <summary>Synthetic Claude export pieces (written here, not copied from any export) and source-side counting.</summary>
internal static class ClaudeSamples
{
    public const string Simonw = "claude-export-simonw/artifacts.json";
    public const string SimonwExample = "claude-export-simonw/example.json";
    public const string Racmac = "claude-export-racmac57/sample_5_conversations.json";

    public static JsonObject Conversation(string uuid, params JsonObject[] messages) => new()
    {
        ["uuid"] = uuid,
        ["name"] = "Synthetic " + uuid,
        ["summary"] = "",
        ["created_at"] = "2025-03-01T10:00:00.000000Z",
        ["updated_at"] = "2025-03-01T11:00:00.000000Z",
        ["account"] = new JsonObject { ["uuid"] = "acc-0001" },
        ["chat_messages"] = new JsonArray(messages),
    };

    /// <summary>An Oct-2024 shaped message: text only, no content blocks, no parent link.</summary>
    public static JsonObject OldMessage(string uuid, string sender, string text, string created) => new()
    {
        ["uuid"] = uuid,
        ["text"] = text,
        ["sender"] = sender,
        ["created_at"] = created,
        ["updated_at"] = created,
        ["attachments"] = new JsonArray(),
        ["files"] = new JsonArray(),
    };

    /// <summary>A 2025 shaped message with content blocks and a parent link.</summary>
    public static JsonObject Message(string uuid, string sender, string? parent, string created, params JsonObject[] blocks)
    {
        var m = new JsonObject
        {
            ["uuid"] = uuid,
            ["text"] = string.Concat(blocks.Where(b => (string?)b["type"] == "text").Select(b => (string?)b["text"])),
            ["content"] = new JsonArray(blocks),
            ["sender"] = sender,
            ["created_at"] = created,
            ["updated_at"] = created,
            ["attachments"] = new JsonArray(),
            ["files"] = new JsonArray(),
        };
        if (parent is not null)
        {
            m["parent_message_uuid"] = parent;
        }

        return m;
    }

    public static JsonObject Text(string text, string start = "2025-03-01T10:00:01.000000Z") => new()
    {
        ["start_timestamp"] = start,
        ["stop_timestamp"] = start,
        ["type"] = "text",
        ["text"] = text,
        ["citations"] = new JsonArray(),
    };

    public static string Write(string path, JsonNode json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json.ToJsonString(), new UTF8Encoding(false));
        return path;
    }

    public static JsonArray Load(string path)
    {
        var node = JsonNode.Parse(File.ReadAllBytes(path), documentOptions: new JsonDocumentOptions { MaxDepth = 1024 })!;
        return node as JsonArray ?? [node.DeepClone()];
    }

    /// <summary>Conversations, nodes and instances of a source file, counted straight from its JSON (instances = leaves).</summary>
    public static (int Conversations, int Nodes, int Instances) Count(JsonArray conversations)
    {
        int nodes = 0, instances = 0;
        foreach (var c in conversations)
        {
            var messages = c!["chat_messages"]!.AsArray();
            nodes += messages.Count;
            if (messages.Any(m => m!["parent_message_uuid"] is not null))
            {
                var parents = messages.Select(m => (string?)m!["parent_message_uuid"]).ToHashSet(StringComparer.Ordinal);
                instances += messages.Count(m => !parents.Contains((string)m!["uuid"]!));
            }
            else
            {
                instances += messages.Count > 0 ? 1 : 0;
            }
        }

        return (conversations.Count, nodes, instances);
    }
}

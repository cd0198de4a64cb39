using System.Text;
using System.Text.Json.Nodes;

namespace Amber.Import.Tests.ChatGpt;

/// <summary>Small synthetic ChatGPT conversations, written for these tests (no corpus content).</summary>
internal static class ChatGptSamples
{
    /// <summary>A valid 1×1 PNG (signature, IHDR, IDAT, IEND).</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    /// <summary>A message object of the export shape.</summary>
    public static JsonObject Message(string id, string role, JsonObject content, double? createTime = 1700000000.5, JsonObject? metadata = null, string? authorName = null)
        => new()
        {
            ["id"] = id,
            ["author"] = new JsonObject { ["role"] = role, ["name"] = authorName, ["metadata"] = new JsonObject() },
            ["create_time"] = createTime,
            ["update_time"] = null,
            ["content"] = content,
            ["status"] = "finished_successfully",
            ["end_turn"] = role == "assistant" ? true : null,
            ["weight"] = 1.0,
            ["metadata"] = metadata ?? [],
            ["recipient"] = "all",
            ["channel"] = null,
        };

    public static JsonObject Text(params string[] parts) => new() { ["content_type"] = "text", ["parts"] = new JsonArray(parts.Select(p => (JsonNode)p).ToArray()) };

    /// <summary>
    /// A conversation from (key, parent key, message) entries; children lists are derived from the parents.
    /// The first entry is usually the message-less "client-created-root".
    /// </summary>
    public static JsonObject Conversation(string id, IEnumerable<(string Key, string? Parent, JsonObject? Message)> entries, string? defaultModel = "gpt-4o")
    {
        var list = entries.ToList();
        var mapping = new JsonObject();
        foreach (var (key, parent, message) in list)
        {
            mapping[key] = new JsonObject
            {
                ["id"] = key,
                ["message"] = message,
                ["parent"] = parent,
                ["children"] = new JsonArray(list.Where(e => e.Parent == key).Select(e => (JsonNode)e.Key).ToArray()),
            };
        }

        return new JsonObject
        {
            ["title"] = "Sample " + id,
            ["create_time"] = 1700000000.25,
            ["update_time"] = 1700000100.75,
            ["mapping"] = mapping,
            ["moderation_results"] = new JsonArray(),
            ["current_node"] = list[^1].Key,
            ["conversation_id"] = id,
            ["default_model_slug"] = defaultModel,
            ["gizmo_id"] = null,
            ["is_archived"] = false,
            ["id"] = id,
        };
    }

    /// <summary>root → user → two regenerated assistant answers (a branch), the first continued by a user turn.</summary>
    public static JsonObject Branched(string id, string suffix = "")
        => Conversation(id, [
            ("root-" + id, null, null),
            ("u1-" + id, "root-" + id, Message("u1-" + id, "user", Text("Question " + id + suffix))),
            ("a1-" + id, "u1-" + id, Message("a1-" + id, "assistant", Text("Answer one"), metadata: new JsonObject { ["model_slug"] = "gpt-4o", ["finish_details"] = new JsonObject { ["type"] = "stop" } })),
            ("a2-" + id, "u1-" + id, Message("a2-" + id, "assistant", Text("Answer two"), metadata: new JsonObject { ["model_slug"] = "gpt-4o-mini" })),
            ("u2-" + id, "a1-" + id, Message("u2-" + id, "user", Text("Follow-up"))),
        ]);

    public static string Write(string path, params JsonObject[] conversations)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, new JsonArray(conversations.Select(c => (JsonNode)c.DeepClone()).ToArray()).ToJsonString(), new UTF8Encoding(false));
        return path;
    }

    public static ImportInput Input(string json, string name = "conversations.json", Func<string, byte[]?>? sibling = null, Func<IReadOnlyList<string>>? siblings = null)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return new ImportInput(name, bytes.Length, () => new MemoryStream(bytes), sibling, siblings);
    }
}

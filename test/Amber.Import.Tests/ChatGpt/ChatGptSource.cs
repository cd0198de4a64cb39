using System.Text.Json.Nodes;

namespace Amber.Import.Tests.ChatGpt;

/// <summary>
/// Counts a ChatGPT conversations.json by reading the source JSON directly, independently of the importer:
/// nodes are mapping entries with a message; instances are those with no children.
/// </summary>
internal static class ChatGptSource
{
    public static JsonArray Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllBytes(path), documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 1024 });
        return root as JsonArray ?? [root!.DeepClone()];
    }

    public static IEnumerable<JsonObject> Messages(JsonObject conversation)
        => conversation["mapping"]!.AsObject().Select(p => p.Value!["message"]).OfType<JsonObject>();

    public static int Nodes(JsonObject conversation) => Messages(conversation).Count();

    public static int Instances(JsonObject conversation)
        => conversation["mapping"]!.AsObject().Count(p => p.Value!["message"] is JsonObject && (p.Value!["children"] as JsonArray ?? []).Count == 0);

    /// <summary>Messages with more than one child (regenerations and edits).</summary>
    public static int BranchPoints(JsonObject conversation)
        => conversation["mapping"]!.AsObject().Count(p => p.Value!["message"] is JsonObject && (p.Value!["children"] as JsonArray ?? []).Count > 1);

    public static string Id(JsonObject conversation) => (string?)conversation["id"] ?? (string)conversation["conversation_id"]!;

    public static string ContentType(JsonObject message) => (string)message["content"]!["content_type"]!;

    public static string Role(JsonObject message) => (string)message["author"]!["role"]!;

    public static bool IsHidden(JsonObject message)
        => Role(message) == "system"
            || ContentType(message) == "user_editable_context"
            || message["metadata"]?["is_visually_hidden_from_conversation"]?.GetValue<bool>() == true;

    /// <summary>Removes leaf entries (and their mentions in their parents' children) <paramref name="count"/> times.</summary>
    public static int TrimLeaves(JsonObject conversation, int count)
    {
        var mapping = conversation["mapping"]!.AsObject();
        var removed = 0;
        for (var i = 0; i < count; i++)
        {
            var leaf = mapping.LastOrDefault(p => p.Value!["message"] is JsonObject && (p.Value!["children"] as JsonArray ?? []).Count == 0).Key;
            if (leaf is null)
            {
                break;
            }

            var parent = (string?)mapping[leaf]!["parent"];
            mapping.Remove(leaf);
            if (parent is not null && mapping[parent]?["children"] is JsonArray siblings)
            {
                siblings.Remove(siblings.First(s => (string?)s == leaf));
            }

            removed++;
        }

        return removed;
    }
}

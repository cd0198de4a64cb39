using Amber.Core.Model;
using Microsoft.Extensions.AI;

namespace Amber.Revive;

/// <summary>Rebuilds an instance's stored nodes as Microsoft.Extensions.AI chat messages for any backend.</summary>
public static class ChatHistory
{
    /// <summary>
    /// One message per node, in path order. Text, tool calls and tool results map to their MEAI contents;
    /// thinking is left out (providers do not accept it back from another model); attachments are described
    /// in text, since their bytes may be large and not every backend takes them. Hidden and empty nodes are skipped.
    /// </summary>
    public static List<ChatMessage> FromPath(IEnumerable<(string Id, Node Node)> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var messages = new List<ChatMessage>();
        foreach (var (_, node) in path)
        {
            if (node.Flags.Contains(NodeFlags.Hidden) || node.Flags.Contains(NodeFlags.Empty))
            {
                continue;
            }

            var contents = new List<AIContent>();
            foreach (var block in node.Content)
            {
                switch (block)
                {
                    case TextBlock t:
                        contents.Add(new TextContent(t.Text));
                        break;
                    case ToolCallBlock c:
                        contents.Add(new FunctionCallContent(c.Id ?? c.Name, c.Name, ArgumentsOf(c.Arguments)));
                        break;
                    case ToolResultBlock r:
                        contents.Add(new FunctionResultContent(r.CallId ?? "", string.Join("\n", r.Content.OfType<TextBlock>().Select(x => x.Text))));
                        break;
                    case BlobBlock b:
                        contents.Add(new TextContent($"[attachment: {b.Name ?? b.BlobKind} {b.MediaType} {b.Blob}]"));
                        break;
                }
            }

            if (contents.Count > 0)
            {
                messages.Add(new ChatMessage(RoleOf(node.Role), contents));
            }
        }

        return messages;
    }

    /// <summary>The plain text of a node (text blocks joined).</summary>
    public static string TextOf(Node node) => string.Join("\n", node.Content.OfType<TextBlock>().Select(t => t.Text));

    private static Dictionary<string, object?>? ArgumentsOf(System.Text.Json.Nodes.JsonNode? arguments) => arguments switch
    {
        null => null,
        System.Text.Json.Nodes.JsonObject o => o.ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone()),
        _ => new Dictionary<string, object?> { ["arguments"] = arguments.ToJsonString() },
    };

    private static ChatRole RoleOf(string role) => role switch
    {
        "system" or "developer" => ChatRole.System,
        "assistant" or "model" or "bot" => ChatRole.Assistant,
        "tool" or "function" => ChatRole.Tool,
        _ => ChatRole.User,
    };
}

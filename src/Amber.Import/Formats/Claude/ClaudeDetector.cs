using System.Text.Json;

namespace Amber.Import.Formats.Claude;

/// <summary>
/// Recognizes a Claude export from its first bytes: the first conversation object has a "chat_messages"
/// member. users.json, projects.json and memories.json (arrays of other objects) are rejected.
/// </summary>
internal static class ClaudeDetector
{
    /// <summary>Conversation members that may come before "chat_messages" (a long summary can fill the head).</summary>
    private static readonly HashSet<string> ConversationMembers = new(StringComparer.Ordinal)
    {
        "uuid", "name", "summary", "created_at", "updated_at", "account", "settings", "is_starred", "is_temporary",
        "project_uuid", "project", "current_leaf_message_uuid", "model",
    };

    public static bool Detect(ImportInput input, ReadOnlySpan<byte> head)
    {
        if (ClaudeFormat.CompanionFiles.Contains(input.FileName, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        if (head.StartsWith("\uFEFF"u8))
        {
            head = head[3..];
        }

        var reader = new Utf8JsonReader(head, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 }));
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            int depth;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                if (!reader.Read())
                {
                    return false;
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    return IsEmptyExport(input);
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                depth = 1;
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                depth = 0;
            }
            else
            {
                return false;
            }

            var sawUuid = false;
            var sawDescriptive = false;
            var onlyConversationMembers = true;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth)
                {
                    return false; // the first object ended without "chat_messages"
                }

                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1)
                {
                    continue;
                }

                if (reader.ValueTextEquals("mapping"u8))
                {
                    return false; // a ChatGPT conversation
                }

                if (reader.ValueTextEquals("chat_messages"u8))
                {
                    return !reader.Read() || reader.TokenType == JsonTokenType.StartArray;
                }

                var name = reader.GetString()!;
                sawUuid |= name == "uuid";
                sawDescriptive |= name is "name" or "summary" or "created_at";
                onlyConversationMembers &= ConversationMembers.Contains(name);
            }

            // The head ended inside the first object: judge by the members seen so far.
            return sawUuid && sawDescriptive && onlyConversationMembers;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>An export with no conversations: "[]" named conversations.json beside Claude's companion files.</summary>
    private static bool IsEmptyExport(ImportInput input)
        => string.Equals(input.FileName, "conversations.json", StringComparison.OrdinalIgnoreCase)
            && (input.ReadSibling("users.json") is not null || input.ReadSibling("projects.json") is not null);
}

using System.Text.Json;

namespace Amber.Import.Formats.ClaudeCode;

/// <summary>
/// Recognizes a Claude Code session file from its first lines: JSON Lines in which a record has "sessionId"
/// beside "uuid" or "parentUuid" (and "type" once the line is complete). Leading file-history-snapshot and
/// summary records are passed over; a line longer than the head is judged by the members read so far.
/// </summary>
internal static class ClaudeCodeDetector
{
    private const int MaxLines = 64;

    public static bool Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("\uFEFF"u8))
        {
            head = head[3..];
        }

        for (var i = 0; i < MaxLines && !head.IsEmpty; i++)
        {
            var nl = head.IndexOf((byte)'\n');
            var line = nl >= 0 ? head[..nl] : head;
            head = nl >= 0 ? head[(nl + 1)..] : [];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            switch (Judge(line, complete: nl >= 0))
            {
                case true:
                    return true;
                case false:
                    return false;
            }
        }

        return false;
    }

    /// <summary>True: a session record; false: not JSON Lines of objects; null: an object that decides nothing (a snapshot, a summary).</summary>
    private static bool? Judge(ReadOnlySpan<byte> line, bool complete)
    {
        var reader = new Utf8JsonReader(line, isFinalBlock: complete, new JsonReaderState(new JsonReaderOptions { MaxDepth = 1024 }));
        bool session = false, link = false, type = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    return session && link && type ? true : null;
                }

                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                if (reader.ValueTextEquals("messages"u8) || reader.ValueTextEquals("mapping"u8) || reader.ValueTextEquals("chat_messages"u8))
                {
                    return false;
                }

                session |= reader.ValueTextEquals("sessionId"u8);
                link |= reader.ValueTextEquals("uuid"u8) || reader.ValueTextEquals("parentUuid"u8);
                type |= reader.ValueTextEquals("type"u8);
            }

            // The head ended inside this line: judge by the members seen so far.
            return !complete && session && link ? true : null;
        }
        catch (JsonException)
        {
            return complete ? false : (session && link ? true : null);
        }
    }
}

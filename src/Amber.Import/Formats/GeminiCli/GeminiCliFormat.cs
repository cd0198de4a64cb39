using System.Text.Json;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.GeminiCli;

/// <summary>
/// Gemini CLI's own files under ~/.gemini/tmp/&lt;project hash&gt;/: chat session files (chats/session-*.json, one
/// object {sessionId, projectHash, startTime, lastUpdated, messages}) and logs.json (an array of the user's
/// prompts, {sessionId, messageId, type, message, timestamp}). See <see cref="GeminiSessionMapper"/> and
/// <see cref="GeminiLogsMapper"/>.
/// </summary>
public sealed class GeminiCliFormat : IConversationFormat
{
    public const string FormatName = "gemini-cli";

    /// <summary>The stable origin of session files, so a session file rewritten with more messages joins its conversation.</summary>
    public const string SourceName = "gemini-cli";

    /// <summary>The origin of logs.json prompts: a conversation of its own beside the session's (it holds no replies).</summary>
    public const string LogsSourceName = "gemini-cli/logs";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "a Gemini CLI session file (an object with \"sessionId\", \"projectHash\" and \"messages\") or its logs.json (an array of {\"sessionId\", \"messageId\", \"message\"})",
        null,
        ["sessionId", "projectHash", "messages", "messageId", "message"]);

    /// <summary>A "sessionId" beside "projectHash" and "messages" (or "messageId" in logs.json) is specific to Gemini CLI; tried before the generic formats.</summary>
    public int DetectionOrder => 26;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
        => RecordShape.Read(head) is { } shape && shape.Has("sessionId", JsonTokenType.String)
            && (shape.InArray
                ? shape.Has("messageId") && shape.Has("message")
                : shape.Has("messages", JsonTokenType.StartArray) && shape.Has("projectHash", JsonTokenType.String)); // a session file; other records with sessionId and messages are not Gemini's

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        var records = JsonRecordReader.ReadJson(input, cancellationToken).ToList();
        if (records.Count == 0)
        {
            throw ImportException.At(input, "record 0", "no Gemini CLI session or log entry");
        }

        var first = DatasetRecords.ParseObject(input, records[0]);
        if (first["messages"] is not null)
        {
            return records.Select(r => GeminiSessionMapper.Map(input, r, DatasetRecords.ParseObject(input, r)));
        }

        return GeminiLogsMapper.Map(input, records.Select(r => (r, DatasetRecords.ParseObject(input, r))).ToList());
    }
}

using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.Codex;

/// <summary>
/// Reads a Codex rollout. Each session_meta line opens a conversation (a repeated one with the same id, as a
/// resumed session writes, continues it); every response_item becomes one node of a linear chain; the latest
/// turn_context names the model of the generated items after it, and each token_count event's
/// last_token_usage becomes the usage of the last generated item before it. Everything else (the event_msg
/// copies of messages, task events) stays in the raw lines and is counted in the conversation's
/// meta.not_mapped. Lines must be in time order: a line older than the one before it is refused.
/// </summary>
internal static class CodexRolloutReader
{
    public static IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken ct)
    {
        byte[] file;
        using (var s = input.Open())
        {
            using var copy = new MemoryStream();
            s.CopyTo(copy);
            file = copy.ToArray();
        }

        CodexSession? session = null;
        DateTimeOffset? previous = null;
        var previousLine = 0;
        foreach (var record in JsonRecordReader.ReadJsonLines(input, ct))
        {
            var o = DatasetRecords.ParseObject(input, record);
            var where = record.Where;
            var type = DatasetRecords.String(o, "type") ?? throw ImportException.At(input, where, "a rollout line without \"type\"");
            var payload = o["payload"] as JsonObject ?? throw ImportException.At(input, where, $"a {type} line without a \"payload\" object");
            var stamp = DatasetRecords.String(o, "timestamp");
            if (stamp is not null && Amber.Core.Time.Timestamps.TryParse(stamp, out var t))
            {
                if (previous is { } p && t < p)
                {
                    throw ImportException.At(input, where, $"its timestamp {stamp} is earlier than line {previousLine}'s; the lines are out of order (a shuffled copy?)");
                }

                previous = t;
                previousLine = record.Line ?? 0;
            }

            if (type == "session_meta")
            {
                var id = DatasetRecords.String(payload, "id") ?? throw ImportException.At(input, where, "a session_meta without \"id\"");
                if (session is not null && session.SessionId == id)
                {
                    session.NotMapped("session_meta (repeated)");
                    continue;
                }

                if (session is not null)
                {
                    yield return session.Build(input, file.AsMemory((int)session.Offset, (int)(record.Offset - session.Offset)));
                }

                session = new CodexSession(id, payload, record.Offset, Created: DatasetRecords.Rfc3339(DatasetRecords.String(payload, "timestamp") ?? stamp));
                continue;
            }

            if (session is null)
            {
                throw ImportException.At(input, where, $"a {type} line before the session_meta line; a rollout starts with session_meta (a truncated or shuffled copy?)");
            }

            try
            {
                session.Add(type, payload, DatasetRecords.Rfc3339(stamp), record.Line ?? record.Index + 1);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or CanonicalJsonException)
            {
                throw ImportException.At(input, where, e.Message, e);
            }
        }

        if (session is null)
        {
            throw ImportException.At(input, "line 1", "no session_meta line; not a Codex rollout");
        }

        yield return session.Build(input, file.AsMemory((int)session.Offset));
    }
}

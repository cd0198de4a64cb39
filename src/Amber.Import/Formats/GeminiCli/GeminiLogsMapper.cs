using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.GeminiCli;

/// <summary>
/// Gemini CLI's logs.json: the user's prompts only, {sessionId, messageId, type, message, timestamp}. One
/// conversation per session id (source "gemini-cli/logs", beside the session file's own conversation, since
/// it holds no replies), the prompts chained in file order. Its raw form is the JSON array of that session's
/// entries, byte for byte. Entries of a session older than the entry before them are refused.
/// </summary>
internal static class GeminiLogsMapper
{
    public static IEnumerable<ImportedConversation> Map(ImportInput input, IReadOnlyList<(JsonRecord Record, JsonObject Entry)> entries)
    {
        var sessions = new List<(string Id, List<(JsonRecord Record, JsonObject Entry)> Entries)>();
        foreach (var e in entries)
        {
            var id = DatasetRecords.String(e.Entry, "sessionId") ?? throw ImportException.At(input, e.Record.Where, "a log entry without \"sessionId\"");
            var session = sessions.FirstOrDefault(s => s.Id == id);
            if (session.Entries is null)
            {
                session = (id, []);
                sessions.Add(session);
            }

            session.Entries.Add(e);
        }

        foreach (var (id, list) in sessions)
        {
            var nodes = new List<Node>();
            var unmapped = new List<string>();
            string? parent = null;
            DateTimeOffset? previous = null;
            foreach (var (record, entry) in list)
            {
                var stamp = DatasetRecords.String(entry, "timestamp");
                if (stamp is not null && Amber.Core.Time.Timestamps.TryParse(stamp, out var t))
                {
                    if (previous is { } p && t < p)
                    {
                        throw ImportException.At(input, record.Where, $"its timestamp {stamp} is earlier than the entry before it in session {id}; the entries are out of order (a shuffled copy?)");
                    }

                    previous = t;
                }

                var type = DatasetRecords.String(entry, "type") ?? "user";
                var content = GeminiSessionMapper.Parts(entry["message"], unmapped);
                var node = new Node
                {
                    Parent = parent,
                    Role = type == "gemini" ? "assistant" : type,
                    Content = content,
                    Created = DatasetRecords.Rfc3339(stamp),
                    Flags = content.Count == 0 ? [NodeFlags.Empty] : [],
                    Meta = DatasetRecords.Rest(entry, "sessionId", "type", "message", "timestamp"),
                };
                nodes.Add(node);
                try
                {
                    parent = node.ComputeId();
                }
                catch (Amber.Core.Json.CanonicalJsonException x)
                {
                    // A value with no canonical form (a number past the double range) in the entry; found by fuzzing.
                    throw ImportException.At(input, record.Where, x.Message, x);
                }
            }

            var raw = new MemoryStream();
            raw.Write("["u8);
            for (var i = 0; i < list.Count; i++)
            {
                raw.Write(i == 0 ? ""u8 : ","u8);
                raw.Write(list[i].Record.Bytes.Span);
            }

            raw.Write("]"u8);
            yield return new ImportedConversation
            {
                Record = new ConversationRecord
                {
                    Format = GeminiCliFormat.FormatName,
                    Source = GeminiCliFormat.LogsSourceName,
                    SourceId = id,
                    Title = DatasetRecords.Title(nodes.Select(n => n.SearchText).FirstOrDefault(s => s.Length > 0)),
                    Created = nodes.Count > 0 ? nodes[0].Created : null,
                    Updated = LatestTime.Of(nodes.Select(n => n.Created)),
                    Meta = new JsonObject { ["prompts_only"] = true },
                },
                Nodes = nodes,
                Raw = raw.ToArray(),
                Notes = [.. MappedFields.Notes(unmapped)],
            };
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Import.Formats.ChatApps;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.Grok;

/// <summary>
/// Grok (x.ai) data exports, prod-grok-backend.json: {"conversations": [{"conversation": {conversation_id, title,
/// create_time, modify_time, …}, "responses": [{"response": {response_id, parent_response_id, sender, message, …},
/// "share_link"}]}], …}. Each "conversations" entry is one conversation whose raw blob is the entry's exact bytes;
/// the file's other members (projects, tasks, …) are kept whole as a companion of the first.
/// </summary>
public sealed class GrokFormat : IConversationFormat
{
    public const string FormatName = "grok";

    public const string SourceName = "grok";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "a Grok data export (prod-grok-backend.json): {\"conversations\": [{\"conversation\": {…}, \"responses\": [{\"response\": {…}}]}]}",
        false,
        ["conversations", "conversation", "responses"]);

    /// <summary>Before sharegpt, whose records have a "conversations" array too (of from/value turns).</summary>
    public int DetectionOrder => 48;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
        => RecordShape.Read(head) is { InArray: false } shape
            && shape.Has("conversations", JsonTokenType.StartArray)
            && shape.ChildKeys("conversations") is { } keys
            && keys.Contains("conversation") && keys.Contains("responses");

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        foreach (var record in JsonRecordReader.ReadJson(input, cancellationToken))
        {
            List<(ReadOnlyMemory<byte> Bytes, long Offset)> entries;
            bool others;
            try
            {
                entries = JsonArrayMember.Elements(record.Bytes, "conversations"u8);
                var o = ChatAppJson.ParseObject(record.Bytes.Span);
                if (o?["conversations"] is not JsonArray)
                {
                    throw ImportException.At(input, record.Where, "not a Grok export: expected {\"conversations\": [{conversation, responses}, …]}, and found no \"conversations\" array");
                }

                others = o.Count > 1;
            }
            catch (Exception e) when (ChatAppJson.IsRecordError(e))
            {
                throw ImportException.At(input, record.Where, e.Message, e);
            }

            for (var i = 0; i < entries.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var conversation = GrokMapper.Map(input, $"conversations[{i}] (byte {record.Offset + entries[i].Offset})", entries[i].Bytes);
                yield return i == 0 && others ? conversation with { Companions = [record.Bytes] } : conversation;
            }
        }
    }
}

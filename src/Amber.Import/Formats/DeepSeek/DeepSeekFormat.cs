using System.Text.Json;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.DeepSeek;

/// <summary>
/// DeepSeek web chats (chat.deepseek.com) as its history API returns them and exporters save them:
/// {code, msg, data: {biz_data: {chat_session: {id, title, current_message_id, inserted_at, …}, chat_messages: […]}}},
/// or the bare biz_data object. Each file (or each element of a JSON array of them) is one conversation, its
/// messages a tree through parent_id (edits and regenerations are branches).
/// </summary>
public sealed class DeepSeekFormat : IConversationFormat
{
    public const string FormatName = "deepseek";

    public const string SourceName = "deepseek";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "a DeepSeek web chat as its history API returns it: {\"code\", \"msg\", \"data\": {\"biz_data\": {\"chat_session\", \"chat_messages\"}}} (or the bare biz_data object, or an array of either)",
        null,
        ["code", "msg", "data", "biz_data", "chat_session", "chat_messages"]);

    /// <summary>Before claude, which would take a bare biz_data object for a Claude conversation by its "chat_messages".</summary>
    public int DetectionOrder => 18;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
    {
        if (RecordShape.Read(head) is not { } shape)
        {
            return false;
        }

        // The API envelope: data.biz_data holds the session (RecordShape sees two levels, so look for its key).
        if (shape.Has("data", JsonTokenType.StartObject) && shape.ChildKeys("data").Contains("biz_data"))
        {
            return head.IndexOf("\"chat_session\""u8) >= 0;
        }

        return shape.Has("chat_session", JsonTokenType.StartObject)
            && shape.ChildKeys("chat_session").Overlaps(["current_message_id", "seq_id"]);
    }

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        foreach (var record in JsonRecordReader.ReadJson(input, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return DeepSeekMapper.Map(input, record);
        }
    }
}

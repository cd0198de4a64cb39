using System.Text.Json;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.LibreChat;

/// <summary>
/// LibreChat's conversation export (Export → JSON): {conversationId, endpoint, title, exportAt, branches, recursive,
/// options, messages}, its messages either nested through "children" (recursive) or a flat list linked by
/// parentMessageId ("messagesTree" in older versions). One conversation per object (a JSON array of them works too).
/// </summary>
public sealed class LibreChatFormat : IConversationFormat
{
    public const string FormatName = "librechat";

    public const string SourceName = "librechat";

    /// <summary>The parent LibreChat gives a conversation's first message.</summary>
    public const string RootParentId = "00000000-0000-0000-0000-000000000000";

    private static readonly string[] MessageKeys = ["messageId", "parentMessageId", "isCreatedByUser"];

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "a LibreChat export: an object with \"conversationId\", \"endpoint\" and \"messages\" (or \"messagesTree\") whose messages carry \"messageId\" and \"parentMessageId\"",
        null,
        ["conversationId", "endpoint", "messages", "messagesTree", "title"]);

    public int DetectionOrder => 46;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
        => RecordShape.Read(head) is { } shape
            && shape.Has("conversationId")
            && ((shape.Has("messages", JsonTokenType.StartArray) && shape.ChildKeys("messages").Overlaps(MessageKeys))
                || (shape.Has("messagesTree", JsonTokenType.StartArray) && shape.ChildKeys("messagesTree").Overlaps(MessageKeys)));

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        foreach (var record in JsonRecordReader.ReadJson(input, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return LibreChatMapper.Map(input, record);
        }
    }
}

using System.Text.Json;
using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Formats.SillyTavern;

/// <summary>
/// SillyTavern (and TavernAI) chat files, <c>chats/&lt;character&gt;/*.jsonl</c>: a first line of chat metadata
/// {user_name, character_name, create_date, chat_metadata} and then one message a line {name, is_user, mes,
/// send_date, swipes, swipe_id, swipe_info, extra}. One file is one conversation; every swipe of a message is a
/// sibling node, the chosen one (swipe_id) the one the chat goes on from.
/// </summary>
public sealed class SillyTavernFormat : IConversationFormat
{
    public const string FormatName = "sillytavern";

    public const string SourceName = "sillytavern";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "a SillyTavern chat (.jsonl): a first line {\"user_name\", \"character_name\", \"create_date\", \"chat_metadata\"}, then one message a line {\"name\", \"is_user\", \"mes\", \"send_date\", \"swipes\"}",
        false,
        ["user_name", "character_name", "create_date", "chat_metadata"]);

    /// <summary>A first line naming both the user and the character is specific; tried before the dataset shapes.</summary>
    public int DetectionOrder => 28;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
        => RecordShape.Read(head) is { InArray: false } shape
            && shape.Has("user_name", JsonTokenType.String)
            && shape.Has("character_name", JsonTokenType.String)
            && !shape.Has("messages");

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        yield return SillyTavernMapper.Map(input, cancellationToken);
    }
}

using System.Text.Json;
using Amber.Import.Formats.ChatApps;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.OpenWebUi;

/// <summary>
/// Open WebUI chats: the JSON array of "Export chats" ({id, title, chat: {...}, created_at, updated_at, …}), one such
/// object, or a bare chat object as stored in webui.db ({title, models, params, history: {messages, currentId},
/// messages, files, …}). The message tree of history.messages (parentId links) becomes the conversation's nodes.
/// </summary>
public sealed class OpenWebUiFormat : IConversationFormat
{
    public const string FormatName = "openwebui";

    /// <summary>The provider named on models: Open WebUI's model ids are its own (an Ollama tag, a connection's model).</summary>
    public const string SourceName = "openwebui";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "an Open WebUI chat export: an array of {\"id\", \"title\", \"chat\": {\"history\": {\"messages\", \"currentId\"}, \"models\"}} (or one such chat object)",
        null,
        ["id", "title", "chat", "history", "models", "user_id"]);

    /// <summary>Before openai-jsonl, which would take the linear "messages" copy and lose the tree.</summary>
    public int DetectionOrder => 45;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head) => RecordShape.Read(head) is { } shape && IsChat(shape);

    /// <summary>A chat object (a history object with messages or currentId) or an export entry wrapping one under "chat".</summary>
    internal static bool IsChat(RecordShape shape)
        => (shape.Has("history", JsonTokenType.StartObject) && shape.ChildKeys("history").Overlaps(["messages", "currentId"]))
            || (shape.Has("chat", JsonTokenType.StartObject) && shape.ChildKeys("chat").Overlaps(["history", "models"]));

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        foreach (var record in JsonRecordReader.ReadJson(input, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return OpenWebUiMapper.Map(input, record);
        }
    }
}

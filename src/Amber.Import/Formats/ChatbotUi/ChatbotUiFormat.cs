using System.Text.Json;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.ChatbotUi;

/// <summary>
/// Chatbot UI (mckaywrigley/chatbot-ui, the legacy app) exports: {"version": 4, "history": [conversation…],
/// "folders": […], "prompts": […]} (versions 2 and 3 lack "prompts" or "version"). Each history entry
/// {id, name, messages: [{role, content}], model, prompt, temperature, folderId} is one conversation, its messages a
/// linear chain; its raw blob is the entry's exact bytes, and the whole file (folders, prompt library) is kept as a
/// companion of the first conversation.
/// </summary>
public sealed class ChatbotUiFormat : IConversationFormat
{
    public const string FormatName = "chatbot-ui";

    public const string SourceName = "chatbot-ui";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "one Chatbot UI export object with \"version\", \"history\" (conversations with \"messages\"), \"folders\" and \"prompts\"",
        false,
        ["version", "history", "folders", "prompts"]);

    public int DetectionOrder => 47;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
        => RecordShape.Read(head) is { InArray: false } shape
            && shape.Has("history", JsonTokenType.StartArray)
            && (shape.Has("folders") || shape.Has("version") || shape.Has("prompts"))
            && (shape.ChildKeys("history").Count == 0 || shape.ChildKeys("history").Contains("messages"));

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        var first = true;
        foreach (var record in JsonRecordReader.ReadJson(input, cancellationToken))
        {
            foreach (var conversation in ChatbotUiMapper.Map(input, record))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return first ? conversation with { Companions = [record.Bytes] } : conversation;
                first = false;
            }
        }
    }
}

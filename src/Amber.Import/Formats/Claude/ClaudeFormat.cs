using Amber.Import.Json;

namespace Amber.Import.Formats.Claude;

/// <summary>
/// Claude.ai "Export data": conversations.json (an array of conversations, or one conversation object),
/// alone, in a folder or inside the export zip beside users.json, projects.json and memories.json. Every chat
/// message becomes a node; those companion files are kept as blobs with the first conversation.
/// </summary>
public sealed class ClaudeFormat : IConversationFormat
{
    public const string FormatName = "claude";

    /// <summary>The stable origin of every Claude export, so a newer export merges into the same conversations.</summary>
    public const string SourceName = "claude.ai";

    /// <summary>Files of the export kept beside its conversations; they are not conversations themselves.</summary>
    internal static readonly string[] CompanionFiles = ["users.json", "projects.json", "memories.json"];

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "a JSON array of conversations (conversations.json of a Claude export), each with \"uuid\", \"name\", \"created_at\" and \"chat_messages\"",
        true,
        ["uuid", "name", "created_at", "updated_at", "chat_messages"]);

    /// <summary>A "chat_messages" array is specific to Claude, so it is tried early (after ChatGPT's "mapping").</summary>
    public int DetectionOrder => 20;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head) => ClaudeDetector.Detect(input, head);

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        var first = true;
        foreach (var record in JsonRecordReader.ReadJson(input, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var conversation = ClaudeConversationMapper.Map(input, record);
            if (first)
            {
                first = false;
                var companions = CompanionFiles.Select(input.ReadSibling).OfType<byte[]>().Select(b => (ReadOnlyMemory<byte>)b).ToList();
                if (companions.Count > 0)
                {
                    conversation = conversation with { Companions = companions };
                }
            }

            yield return conversation;
        }
    }
}

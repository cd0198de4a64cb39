namespace Amber.Import;

/// <summary>
/// One source format (a chat export or a dataset). A format detects its files from their name and first
/// bytes, and streams normalized conversations out of them, each with its raw source object.
/// </summary>
public interface IConversationFormat
{
    /// <summary>The name used by `--format` (chatgpt, claude, claude-code, codex, gemini-cli, gemini-takeout, sillytavern, openwebui, librechat, chatbot-ui, deepseek, grok, aistudio, oasst, sharegpt, openai-jsonl, hh-rlhf, llm-db).</summary>
    string Name { get; }

    /// <summary>Detection runs formats in ascending order; the most specific shapes go first.</summary>
    int DetectionOrder { get; }

    /// <summary>True if the input looks like this format. <paramref name="head"/> holds up to 64 KiB of its first bytes.</summary>
    bool Detect(ImportInput input, ReadOnlySpan<byte> head);

    /// <summary>The shape this format expects, named in messages when a file does not fit it (null: not described).</summary>
    FormatShape? Shape => null;

    /// <summary>
    /// Streams the input's conversations. Throws <see cref="ImportException"/> naming the record (and
    /// byte position where known) on malformed input.
    /// </summary>
    IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken);
}

using System.Text.Json;
using Amber.Import.Formats.ShareGpt;
using Amber.Import.Json;

namespace Amber.Import.Formats.AiStudio;

/// <summary>
/// Google AI Studio prompts as saved to Drive: {runSettings: {model, temperature, topP, topK, maxOutputTokens, …},
/// systemInstruction: {text?}, chunkedPrompt: {chunks: [{role: user|model, text, tokenCount, isThought?, parts?}]},
/// pendingInputs}. One file is one conversation, its chunks a linear chain.
/// </summary>
public sealed class AiStudioFormat : IConversationFormat
{
    public const string FormatName = "aistudio";

    public const string SourceName = "aistudio";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "a Google AI Studio prompt saved to Drive: {\"runSettings\", \"systemInstruction\", \"chunkedPrompt\": {\"chunks\": [{\"role\", \"text\"}]}}",
        false,
        ["runSettings", "systemInstruction", "chunkedPrompt"]);

    public int DetectionOrder => 44;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
        => RecordShape.Read(head) is { } shape
            && shape.Has("chunkedPrompt", JsonTokenType.StartObject)
            && (shape.ChildKeys("chunkedPrompt").Contains("chunks") || shape.Has("runSettings", JsonTokenType.StartObject));

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        foreach (var record in JsonRecordReader.ReadJson(input, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return AiStudioMapper.Map(input, record);
        }
    }
}

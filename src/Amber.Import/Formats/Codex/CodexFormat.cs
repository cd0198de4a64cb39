using System.Text.Json;
using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Formats.Codex;

/// <summary>
/// OpenAI Codex CLI rollouts (~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl): JSON Lines of
/// {timestamp, type, payload}, opened by a session_meta line. One conversation per session, a linear chain
/// of its response items (Codex rollouts are linear); see <see cref="CodexRolloutReader"/>.
/// </summary>
public sealed class CodexFormat : IConversationFormat
{
    public const string FormatName = "codex";

    /// <summary>The stable origin of every rollout, so a grown or moved rollout file joins the same conversation.</summary>
    public const string SourceName = "codex";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "JSON Lines of a Codex CLI rollout (~/.codex/sessions/**/rollout-*.jsonl): a first line {\"type\": \"session_meta\", \"payload\": {…}}, then turn_context and response_item lines",
        false,
        ["type", "payload", "timestamp"]);

    /// <summary>A session_meta first line is specific to Codex; it must be tried before the generic JSON Lines formats.</summary>
    public int DetectionOrder => 25;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
        => RecordShape.Read(head) is { InArray: false } shape
            && shape.StringPrefix("type") == "session_meta"
            && shape.Has("payload", JsonTokenType.StartObject);

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
        => CodexRolloutReader.Read(input, cancellationToken);
}

namespace Amber.Import.Formats.ClaudeCode;

/// <summary>
/// Claude Code session logs (~/.claude/projects/&lt;project&gt;/&lt;session&gt;.jsonl and their sub-agent transcripts,
/// agent-&lt;id&gt;.jsonl beside them or in &lt;session&gt;/subagents/). One conversation per session, a tree from
/// uuid/parentUuid; sub-agents become their own conversations linked to the session. The raw kept is the whole
/// file, so a file that grew between two imports joins the same conversation with only its new lines as new nodes.
/// </summary>
public sealed class ClaudeCodeFormat : IConversationFormat
{
    public const string FormatName = "claude-code";

    /// <summary>The stable origin of every session, so a moved or grown file joins the same conversation.</summary>
    public const string SourceName = "claude-code";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "JSON Lines of a Claude Code session (~/.claude/projects/**/*.jsonl): records with \"type\", \"uuid\", \"parentUuid\", \"sessionId\" and \"message\"",
        false,
        ["type", "uuid", "parentUuid", "sessionId", "message", "timestamp"]);

    /// <summary>Session records are specific (sessionId beside uuid/parentUuid), so they are tried before the dataset formats.</summary>
    public int DetectionOrder => 15;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head) => ClaudeCodeDetector.Detect(head);

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
        => ClaudeCodeSession.Read(input, cancellationToken);
}

using System.Text.Json.Nodes;

namespace Amber.Import.Formats.ClaudeCode;

/// <summary>One record of a Claude Code session file: its 1-based line number and its parsed object.</summary>
internal sealed record ClaudeCodeLine(int Number, JsonObject Json)
{
    public string? Type => ClaudeCodeLines.String(Json, "type");

    public string? Uuid => ClaudeCodeLines.String(Json, "uuid");

    public string? SessionId => ClaudeCodeLines.String(Json, "sessionId");

    public bool IsSidechain => Json["isSidechain"] is JsonValue v && v.TryGetValue(out bool b) && b;

    public string? AgentId => ClaudeCodeLines.String(Json, "agentId");
}

using System.Text;
using System.Text.Json.Nodes;

namespace Amber.Import.Formats.ClaudeCode;

/// <summary>
/// Finds the tool_use that spawned a sub-agent: the parent session's tool_result whose toolUseResult names the
/// agent's id. The parent's lines are looked up in the same file (older versions wrote sidechains inline), then
/// in the parent session's file: <c>&lt;session&gt;.jsonl</c> beside the agent file (the older sibling layout), or two
/// folders up from <c>&lt;session&gt;/subagents/agent-&lt;id&gt;.jsonl</c>.
/// </summary>
internal static class ClaudeCodeSubagents
{
    public static string? SpawningToolUse(ImportInput input, IEnumerable<ClaudeCodeLine> sameFile, string sessionId, string agentId)
    {
        foreach (var line in sameFile)
        {
            if (!line.IsSidechain && ToolUseFor(line.Json, agentId) is { } id)
            {
                return id;
            }
        }

        if (input.LocalPath is null || sessionId.IndexOfAny(['/', '\\']) >= 0 || sessionId.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(input.LocalPath))!;
        var candidates = new List<string> { Path.Combine(dir, sessionId + ".jsonl") };
        if (Path.GetFileName(dir) == "subagents" && Path.GetDirectoryName(dir) is { } sessionDir && Path.GetDirectoryName(sessionDir) is { } project)
        {
            candidates.Add(Path.Combine(project, sessionId + ".jsonl"));
        }

        var needle = $"\"agentId\":\"{agentId}\"";
        foreach (var file in candidates.Where(File.Exists))
        {
            foreach (var text in File.ReadLines(file, Encoding.UTF8))
            {
                if (!text.Contains(needle, StringComparison.Ordinal))
                {
                    continue;
                }

                try
                {
                    if (JsonNode.Parse(text) is JsonObject o && !(o["isSidechain"] is JsonValue v && v.TryGetValue(out bool side) && side) && ToolUseFor(o, agentId) is { } id)
                    {
                        return id;
                    }
                }
                catch (System.Text.Json.JsonException)
                {
                    // A damaged line of another file: it cannot name the tool_use; keep looking.
                }
            }
        }

        return null;
    }

    /// <summary>The tool_use_id of a tool_result line whose toolUseResult.agentId is <paramref name="agentId"/>.</summary>
    private static string? ToolUseFor(JsonObject o, string agentId)
    {
        if (o["toolUseResult"] is not JsonObject result || ClaudeCodeLines.String(result, "agentId") != agentId
            || o["message"] is not JsonObject message || message["content"] is not JsonArray blocks)
        {
            return null;
        }

        return blocks.OfType<JsonObject>().Where(b => ClaudeCodeLines.String(b, "type") == "tool_result").Select(b => ClaudeCodeLines.String(b, "tool_use_id")).FirstOrDefault(id => id is not null);
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Import.Tests.ClaudeCode;

/// <summary>
/// Reads Claude Code session files straight from their JSON lines (without the importer's code), and locates
/// the shared samples (skipping when ../shared is absent; they are never copied into the repository).
/// </summary>
internal static class ClaudeCodeSource
{
    public const string Folder = "claude-code-codemie";

    public static TheoryData<string> Files =>
    [
        "session-196820da.jsonl",
        "session-9eda1058.jsonl",
        "-tmp-private/4c2ddfdc-b619-4525-8d03-1950fb1b0257.jsonl",
        "-tmp-private/agent-36541525.jsonl",
        "-tmp-private/agent-50243ee8.jsonl",
        "incremental-subagents/e9fb405b-turn-2.jsonl",
        "incremental-subagents/subagents/agent-a485154.jsonl",
    ];

    public static string Sample(string relative = "") => SharedData.RequireSample(Path.Combine(Folder, relative));

    public static List<JsonObject> Lines(string path) => Lines(File.ReadAllBytes(path));

    public static List<JsonObject> Lines(byte[] bytes)
        => Encoding.UTF8.GetString(bytes).Split('\n').Where(l => l.Trim().Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    public static string? Str(JsonNode? o, string name) => o?[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>Per conversation (main session, or "agent-&lt;id&gt;" for sidechain lines): the records with a uuid.</summary>
    public static Dictionary<string, List<JsonObject>> Conversations(List<JsonObject> lines)
        => lines.Where(l => Str(l, "uuid") is not null)
            .GroupBy(l => (bool?)l["isSidechain"] == true ? "agent-" + (Str(l, "agentId") ?? "sidechain") : "")
            .ToDictionary(g => g.Key, g => g.ToList());

    /// <summary>Records no other record of the same conversation names as its parentUuid (or logicalParentUuid).</summary>
    public static int Leaves(List<JsonObject> records)
    {
        var named = records.SelectMany(r => new[] { Str(r, "parentUuid"), Str(r, "logicalParentUuid") }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return records.Count(r => !named.Contains(Str(r, "uuid")!));
    }

    public static (int Conversations, int Nodes, int Instances) Count(List<JsonObject> lines)
    {
        var conversations = Conversations(lines);
        return (conversations.Count, conversations.Values.Sum(c => c.Count), conversations.Values.Sum(Leaves));
    }

    /// <summary>The file's lines (each with its newline) as separate byte arrays.</summary>
    public static List<byte[]> RawLines(byte[] bytes)
    {
        var result = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                result.Add(bytes[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < bytes.Length)
        {
            result.Add(bytes[start..]);
        }

        return result;
    }
}

using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Import.Tests.Codex;

/// <summary>The real Codex rollouts of ../shared/samples, read at run time (never copied into the repository).</summary>
internal static class CodexSamples
{
    public const string Folder = "codex-rollout-localpush";

    public const string Long = "rollout-2026-02-23T12-41-04-019c8a4d-8f45-7010-8b5d-7fad920aa6f9.jsonl";

    public const string Short = "rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl";

    public const string Medium = "rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl";

    public static TheoryData<string> Files => [Long, Short, Medium];

    /// <summary>The path of a sample file, or a skip when ../shared is absent.</summary>
    public static string PathOf(string file) => SharedData.RequireSample(Path.Combine(Folder, file));

    /// <summary>The rollout's lines, each parsed (1-based line number, type, payload).</summary>
    public static List<(int Line, string Type, JsonObject Payload)> Lines(string path)
        => [.. File.ReadAllLines(path).Select((l, i) => (Line: i + 1, Text: l)).Where(l => l.Text.Trim().Length > 0).Select(l =>
        {
            var o = JsonNode.Parse(l.Text)!.AsObject();
            return (l.Line, (string)o["type"]!, o["payload"]!.AsObject());
        })];

    public static string? PayloadType(JsonObject payload) => (string?)payload["type"];

    /// <summary>Items a model generated: everything but tool outputs and user/developer/system messages.</summary>
    public static bool IsGenerated(JsonObject payload) => PayloadType(payload) switch
    {
        "function_call_output" or "custom_tool_call_output" => false,
        "message" => (string?)payload["role"] == "assistant",
        _ => true,
    };
}

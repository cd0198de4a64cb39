using Amber.Testing;

namespace Amber.Torture;

/// <summary>The shared samples the import campaigns read (from ../shared at run time; never copied into the repository).</summary>
public static class Inputs
{
    /// <summary>A large file: one 6.7 MB ChatGPT export.</summary>
    public static string[] LargeFile => [SharedData.RequireSample("chatgpt-export-yoonchoonkoon-archive/conversations.json")];

    /// <summary>Many small files: coding-agent session logs of three tools, one file per session.</summary>
    public static string[] SmallFiles =>
    [
        SharedData.RequireSample("claude-code-codemie"),
        SharedData.RequireSample("gemini-cli-codemie"),
        SharedData.RequireSample("codex-rollout-localpush"),
    ];

    /// <summary>A small export for campaigns that need an archive with something in it.</summary>
    public static string[] Small => [SharedData.RequireSample("claude-export-nexus")];
}

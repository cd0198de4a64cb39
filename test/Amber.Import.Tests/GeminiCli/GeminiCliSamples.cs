using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Import.Tests.GeminiCli;

/// <summary>The real Gemini CLI files of ../shared/samples, read at run time (never copied into the repository).</summary>
internal static class GeminiCliSamples
{
    public const string Folder = "gemini-cli-codemie";

    public const string First = "session-2025-12-01T21-45-5b959dae.json";

    public const string FileOps = "session-2026-01-16T11-01-file-ops-37b7abef.json";

    public const string Logs = "logs.json";

    public static TheoryData<string> Sessions => [First, FileOps];

    /// <summary>The path of a sample file, or a skip when ../shared is absent.</summary>
    public static string PathOf(string file) => SharedData.RequireSample(Path.Combine(Folder, file));

    public static JsonNode Load(string path) => JsonNode.Parse(File.ReadAllBytes(path))!;
}

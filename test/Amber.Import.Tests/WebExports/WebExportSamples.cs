using Amber.Import.Formats;

namespace Amber.Import.Tests.WebExports;

/// <summary>The real DeepSeek, Grok and AI Studio files of ../shared/samples, read at run time (never copied into the repository).</summary>
internal static class WebExportSamples
{
    public const string DeepSeek = "deepseek-web-raw-ceyaima/DeepSeek - test_chat_raw_2025-11-22T15-53-07.json";

    public const string Grok = "grok-export-openwebui-importer/grok_example.json";

    public const string AiStudio = "google-aistudio-openwebui-importer/aistudio_example.json";

    /// <summary>The formats this slice added; the registry without them is the one before it.</summary>
    public static readonly string[] Added = ["deepseek", "grok", "aistudio"];

    /// <summary>The format the registry (without <paramref name="except"/>) detects for <paramref name="path"/>, or null.</summary>
    public static string? Detect(string path, params string[] except)
        => FormatRegistry.Detect(Sources.ImportSources.FileInput(path), FormatRegistry.All.Where(f => !except.Contains(f.Name)))?.Name;

    /// <summary>The file with its last line break(s) trimmed: the one object's exact bytes.</summary>
    public static byte[] Object(string path) => File.ReadAllBytes(path).AsSpan().TrimEnd("\r\n"u8).ToArray();
}

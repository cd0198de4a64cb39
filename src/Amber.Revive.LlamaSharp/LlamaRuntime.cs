using System.Runtime.InteropServices;
using LLama.Native;

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// The process-wide native library: which llama.cpp build is loaded (the AVX level changes logits, so it
/// is part of every model reference) and the engine versions. The AVX level can be pinned with the
/// environment variable <c>AMBER_LLAMA_AVX</c> (none, avx, avx2, avx512) before the first model loads.
/// </summary>
public static class LlamaRuntime
{
    public const string EngineName = "llama.cpp/LLamaSharp";

    /// <summary>The llama.cpp commit LLamaSharp 0.30.0 is built from (its release note).</summary>
    public const string LlamaCppCommit = "c0c7e147e7efa6c5858754b47259ba4880f8a906";

    /// <summary>The LLamaSharp package version (its assembly carries no version of its own; kept in step with Directory.Packages.props).</summary>
    public const string LLamaSharpVersion = "0.30.0";

    private static readonly Lock Gate = new();
    private static string? build;
    private static string? systemInfo;

    /// <summary>"LLamaSharp 0.30.0; llama.cpp c0c7e147…".</summary>
    public static string EngineVersion => $"LLamaSharp {LLamaSharpVersion}; llama.cpp {LlamaCppCommit}";

    /// <summary>The native build in use, e.g. "linux-x64 cpu avx512".</summary>
    public static string Build
    {
        get
        {
            EnsureLoaded();
            return build!;
        }
    }

    /// <summary>llama_print_system_info of the loaded library.</summary>
    public static string SystemInfo
    {
        get
        {
            EnsureLoaded();
            return systemInfo!;
        }
    }

    /// <summary>Configures (once, before first use) and loads the native library.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (build is not null)
            {
                return;
            }

            var avx = ParseAvx(Environment.GetEnvironmentVariable("AMBER_LLAMA_AVX"));
            if (!NativeLibraryConfig.LLama.LibraryHasLoaded)
            {
                NativeLibraryConfig.All.WithLogCallback(static (_, _) => { });
                if (avx is { } pinned)
                {
                    NativeLibraryConfig.All.WithAvx(pinned).WithAutoFallback(false);
                }
            }

            var chosen = NativeLibraryConfig.LLama.DryRun(out var library) && library is not null ? library.Metadata?.AvxLevel : null;
            systemInfo = Marshal.PtrToStringAnsi(NativeApi.llama_print_system_info())?.Trim() ?? "";
            var level = chosen?.ToString().ToLowerInvariant() ?? "unknown";
            build = $"{RuntimeInformation.RuntimeIdentifier} cpu {level}";
        }
    }

    private static AvxLevel? ParseAvx(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "none" or "noavx" => AvxLevel.None,
        "avx" => AvxLevel.Avx,
        "avx2" => AvxLevel.Avx2,
        "avx512" => AvxLevel.Avx512,
        _ => throw new ArgumentException($"AMBER_LLAMA_AVX=\"{value}\" is not one of none, avx, avx2, avx512."),
    };
}

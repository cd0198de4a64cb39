using System.Diagnostics;

namespace Amber.Revive.LlamaSharp.Tests;

/// <summary>Runs test/Amber.Revive.ThawWorker in a new process.</summary>
internal static class ThawWorker
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string model, string blob, string temperature, string seed, string maxTokens, CancellationToken ct)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Amber.Revive.ThawWorker.dll");
        Assert.True(File.Exists(worker), $"thaw worker not built at {worker}");
        var psi = new ProcessStartInfo("dotnet", ["exec", worker, model, blob, temperature, seed, maxTokens])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var child = Process.Start(psi)!;
        var stdout = child.StandardOutput.ReadToEndAsync(ct);
        var stderr = child.StandardError.ReadToEndAsync(ct);
        await child.WaitForExitAsync(ct);
        return (child.ExitCode, await stdout, await stderr);
    }
}

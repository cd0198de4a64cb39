using System.Diagnostics;
using System.Globalization;
using Amber.Storage.Verification;

namespace Amber.Cli.Commands.Verify;

/// <summary>
/// <c>amber verify --phases</c>: the wall time of each step of this process on stderr — from the process's start to the
/// command (the runtime, the host, the command line), the open, the verify's own phases, the close — so the fixed cost of
/// a verify is measured where it is paid rather than guessed (docs/BENCHMARKS.md, verify).
/// </summary>
internal sealed class VerifyPhases
{
    private readonly TextWriter error;
    private readonly Stopwatch lap = Stopwatch.StartNew();

    public VerifyPhases(TextWriter error)
    {
        this.error = error;
        using var self = Process.GetCurrentProcess();
        var sinceStart = TimeProvider.System.GetUtcNow().UtcDateTime - self.StartTime.ToUniversalTime();
        Write("process start to the verify command (runtime, host, command line)", sinceStart);
    }

    /// <summary>Reports the time since the last step as <paramref name="step"/>.</summary>
    public void Lap(string step)
    {
        Write(step, lap.Elapsed);
        lap.Restart();
    }

    /// <summary>The verifier's own phases (wall time; the index audit runs beside the segment scan).</summary>
    public void Verified(VerifyReport report)
    {
        foreach (var (phase, wall) in report.Phases)
        {
            Write($"  verify: {phase}", wall);
        }
    }

    private void Write(string step, TimeSpan wall) =>
        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"phase: {step}: {wall.TotalMilliseconds:F1} ms"));
}

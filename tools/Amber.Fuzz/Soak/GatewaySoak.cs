using System.Diagnostics;
using Amber.Fuzz.Targets;
using Amber.Proxy;
using Amber.Testing;
using Microsoft.Extensions.Logging;

namespace Amber.Fuzz.Soak;

/// <summary>
/// The gateway's upstream fault matrix at a fixed rate: each call goes once to the faulty upstream directly and
/// once through a real gateway into a real archive, and the two client views must match (or be the documented
/// 502). Memory (after a full collection) and thread count are sampled; after a warm-up they must stay bounded,
/// and every call's exchange must reach the archive's log.
/// </summary>
public static class GatewaySoak
{
    private const int ReadLimit = 2048;

    private static readonly UpstreamFault[] Matrix = Enum.GetValues<UpstreamFault>();

    public static async Task<SoakTally> RunAsync(TimeSpan duration, double rate, Action<string>? progress = null, CancellationToken ct = default)
    {
        var tally = new SoakTally();
        using var scratch = new ScratchArchive("soak");
        await using var faults = await FaultUpstream.StartAsync().ConfigureAwait(false);
        var host = GatewayHost.Build(scratch.Archive, "127.0.0.1:0", new GatewayOptions { OpenAiUpstream = faults.Url, AnthropicUpstream = faults.Url }, logging: l => l.ClearProviders());
        await host.StartAsync(ct).ConfigureAwait(false);
        var gateway = new Uri(host.Urls.First());
        var logBefore = scratch.Archive.Log.Size;
        var clock = Stopwatch.StartNew();
        var warmUp = TimeSpan.FromTicks(Math.Max(duration.Ticks / 10, TimeSpan.FromSeconds(5).Ticks));
        var nextSample = warmUp;
        using (var http = new HttpClient())
        {
            try
            {
                while (clock.Elapsed < duration)
                {
                    var due = TimeSpan.FromSeconds(tally.Calls / rate);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed, ct).ConfigureAwait(false);
                    }

                    faults.Fault = Matrix[tally.Calls % Matrix.Length];
                    var direct = await ClientView.FetchAsync(http, faults.Url, ReadLimit, ct).ConfigureAwait(false);
                    var via = await ClientView.FetchAsync(http, gateway, ReadLimit, ct).ConfigureAwait(false);
                    tally.Calls++;
                    if (ClientView.Differs(direct, via) is { } problem)
                    {
                        tally.Mismatches++;
                        if (tally.Problems.Count < 5)
                        {
                            tally.Problems.Add($"{faults.Fault}: {problem}");
                        }
                    }

                    if (clock.Elapsed >= nextSample)
                    {
                        var (rss, threads) = Sample();
                        tally.PeakRssBytes = Math.Max(tally.PeakRssBytes, rss);
                        if (tally.BaselineRssBytes == 0)
                        {
                            (tally.BaselineRssBytes, tally.BaselineThreads) = (rss, threads);
                        }

                        progress?.Invoke($"  … {tally.Calls:N0} calls, RSS {rss >> 20} MiB, {threads} threads, {clock.Elapsed.TotalSeconds:F0} s");
                        nextSample = clock.Elapsed + TimeSpan.FromSeconds(5);
                    }
                }

                // Every call is one exchange; the last (a client that left) may still be committing.
                for (var i = 0; i < 300 && scratch.Archive.Log.Size - logBefore < tally.Calls; i++)
                {
                    await Task.Delay(100, ct).ConfigureAwait(false);
                }

                tally.Lost = Math.Max(0, tally.Calls - (scratch.Archive.Log.Size - logBefore));
            }
            finally
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await host.DisposeAsync().ConfigureAwait(false);
            }
        }

        tally.Elapsed = clock.Elapsed;
        (tally.FinalRssBytes, tally.FinalThreads) = Sample();
        tally.PeakRssBytes = Math.Max(tally.PeakRssBytes, tally.FinalRssBytes);
        if (tally.BaselineRssBytes == 0)
        {
            (tally.BaselineRssBytes, tally.BaselineThreads) = (tally.FinalRssBytes, tally.FinalThreads);
        }

        // Bounded: after the warm-up, growth stays under a fixed allowance (the GC and thread pool size themselves to the load).
        var allowance = Math.Max(96L << 20, tally.BaselineRssBytes / 2);
        if (tally.FinalRssBytes > tally.BaselineRssBytes + allowance)
        {
            tally.Leak = $"resident memory grew {(tally.FinalRssBytes - tally.BaselineRssBytes) >> 20} MiB after the warm-up (allowed {allowance >> 20} MiB)";
        }
        else if (tally.FinalThreads > tally.BaselineThreads + 32)
        {
            tally.Leak = $"threads grew from {tally.BaselineThreads} to {tally.FinalThreads}";
        }

        return tally;
    }

    private static (long Rss, int Threads) Sample()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        return (self.WorkingSet64, self.Threads.Count);
    }
}

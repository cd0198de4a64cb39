using System.Diagnostics;
using Amber.Cli.Infrastructure;
using Amber.Import;
using Amber.Import.Watching;

namespace Amber.Cli.Commands.Import;

/// <summary>
/// `amber import --watch`: polls the paths every interval and imports each new or grown file once it held still
/// for one poll (<see cref="WatchState"/>), until Ctrl-C or SIGTERM. Each round that read something prints its
/// summary (one JSON line with --json). A file that fails is reported and tried again when it changes.
/// </summary>
internal static class ImportWatch
{
    public static async Task<int> Run(CliEnvironment env, Importer importer, string archiveDirectory, string[] paths, TimeSpan interval, bool json, CancellationToken ct)
    {
        var state = WatchState.Load(archiveDirectory);
        if (!json)
        {
            env.Info.WriteLine($"amber: watching {string.Join(", ", paths)} every {interval.TotalSeconds:0.###} s; Ctrl-C stops.");
        }

        var round = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var ready = state.Poll(paths);
                if (ready.Count > 0)
                {
                    var clock = Stopwatch.StartNew();
                    var summary = importer.Run(ready, null, ct);
                    state.Done(ready);
                    round++;
                    Report(env, summary, clock.Elapsed, round, json);
                }

                await Task.Delay(interval, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped between or inside a round: every commit acknowledged so far is whole; the rest is read next time.
        }

        if (!json)
        {
            env.Info.WriteLine($"amber: watch stopped after {round:N0} import rounds.");
        }

        return ExitCodes.Ok;
    }

    private static void Report(CliEnvironment env, ImportSummary summary, TimeSpan elapsed, int round, bool json)
    {
        if (json)
        {
            var line = ImportOutput.Json(summary, elapsed);
            line["round"] = round;
            line["time"] = Amber.Core.Time.Timestamps.Format(TimeProvider.System.GetUtcNow());
            Output.JsonLine(env.Out, line);
            env.Out.Flush();
            return;
        }

        env.Out.WriteLine($"round {round:N0}: {summary.Files.Count:N0} files, {ImportOutput.Totals(summary, elapsed)} {summary.NewNodes:N0} new nodes.");
        ImportOutput.Notes(env, summary);
    }
}

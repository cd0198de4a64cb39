using System.Diagnostics;
using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Index.Rebuild;

internal static class IndexRebuildCommand
{
    public static int Run(CliEnvironment env, bool json)
    {
        using var archive = env.OpenWriter();
        if (archive is null)
        {
            return ExitCodes.Failed;
        }

        var clock = Stopwatch.StartNew();
        var report = ProgressDisplay.Run(env, "index rebuild", p => archive.RebuildIndex(p), ProgressDisplay.Scan("index rebuild"));
        var stats = archive.GetStats();
        if (json)
        {
            Output.JsonLine(env.Out, new JsonObject { ["frames"] = report.FramesIndexed, ["conversations"] = stats.Conversations, ["nodes"] = stats.Nodes, ["seconds"] = clock.Elapsed.TotalSeconds });
        }
        else
        {
            env.Out.WriteLine($"Rebuilt the index from {report.FramesIndexed} frame(s): {stats.Conversations} conversations, {stats.Nodes} nodes ({clock.Elapsed.TotalSeconds:0.00} s).");
        }

        return ExitCodes.Ok;
    }
}

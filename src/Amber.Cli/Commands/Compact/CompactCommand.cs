using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Compact;

internal static class CompactCommand
{
    public static int Run(CliEnvironment env, bool json, int level)
    {
        if (level is < 1 or > 22)
        {
            env.Error.WriteLine($"amber compact: --level {level} is outside zstd's levels 1..22.");
            return ExitCodes.Usage;
        }

        using var archive = env.OpenWriter();
        if (archive is null)
        {
            return ExitCodes.Failed;
        }

        var report = ProgressDisplay.Run(env, "compact", p => archive.Compact(level, progress: p), ProgressDisplay.Scan("compact"));
        if (json)
        {
            Output.JsonLine(env.Out, new JsonObject
            {
                ["level"] = report.Level,
                ["segments_rewritten"] = report.SegmentsRewritten,
                ["segments_skipped"] = report.SegmentsSkipped,
                ["bytes_before"] = report.BytesBefore,
                ["bytes_after"] = report.BytesAfter,
            });
        }
        else if (report.SegmentsRewritten == 0)
        {
            env.Out.WriteLine($"Nothing to compact: {report.SegmentsSkipped} sealed segment(s) already at zstd level {report.Level} or above; the active segment is compacted once it is sealed.");
        }
        else
        {
            env.Out.WriteLine($"Compacted {report.SegmentsRewritten} sealed segment(s) at zstd level {report.Level}: {Output.Bytes(report.BytesBefore)} → {Output.Bytes(report.BytesAfter)}.");
        }

        return ExitCodes.Ok;
    }
}

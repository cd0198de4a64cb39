using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Storage;
using Amber.Storage.Verification;

namespace Amber.Cli.Commands.Verify;

internal static class VerifyCommand
{
    public static int Run(CliEnvironment env, bool json, string[] keptCheckpoints, bool full, bool phases = false)
    {
        var timer = phases ? new VerifyPhases(env.Error) : null;
        var kept = keptCheckpoints.Select(File.ReadAllText).ToList();
        VerifyReport report;
        try
        {
            // Opened to verify: no recovery, no writer lock, nothing written but verify.memo (ArchiveOptions.Verifying).
            var archive = Archive.Open(env.Options() with { Verifying = true });
            timer?.Lap("open (to verify: read-only, no recovery, no index work)");
            try
            {
                report = ProgressDisplay.Run(env, "verify", p => ArchiveVerifier.Verify(archive, kept, p, full), ProgressDisplay.Scan("verify"));
                timer?.Lap("verify");
                timer?.Verified(report);
            }
            finally
            {
                archive.Dispose();
                timer?.Lap("close");
            }
        }
        catch (CorruptArchiveException e)
        {
            // Damage that stops the archive opening at all is still a verification result.
            report = new VerifyReport();
            report.Faults.Add(e.Message);
        }

        if (json)
        {
            Output.JsonDocument(env.Out, new JsonObject
            {
                ["ok"] = report.Ok,
                ["faults"] = new JsonArray(report.Faults.Select(f => (JsonNode)f).ToArray()),
                ["notes"] = new JsonArray(report.Notes.Select(f => (JsonNode)f).ToArray()),
                ["recovery"] = new JsonArray(report.Recovery.Select(f => (JsonNode)f).ToArray()),
                ["segments"] = report.Segments,
                ["frames"] = report.Frames,
                ["commits"] = report.Commits,
                ["nodes"] = report.Nodes,
                ["blobs"] = report.Blobs,
                ["bytes"] = report.Bytes,
                ["fixity_bytes"] = report.FixityBytes,
                ["memo"] = report.MemoState,
                ["deep_checked"] = new JsonArray(report.DeepChecked.Select(u => (JsonNode)u).ToArray()),
                ["fixity_only"] = new JsonArray(report.FixityOnly.Select(u => (JsonNode)new JsonObject
                {
                    ["unit"] = u.Unit,
                    ["checked_at"] = u.CheckedAt,
                    ["check_version"] = u.CheckVersion,
                }).ToArray()),
            });
            return report.Ok ? ExitCodes.Ok : ExitCodes.Failed;
        }

        foreach (var action in report.Recovery)
        {
            env.Out.WriteLine($"recovered: {action}");
        }

        foreach (var note in report.Notes)
        {
            env.Out.WriteLine($"note: {note}");
        }

        if (report.Ok)
        {
            env.Out.WriteLine($"ok: {report.Segments} segment(s), {report.Frames} frame(s), {report.Commits} commit(s), {report.Nodes} node(s), {report.Blobs} blob(s), {Output.Bytes(report.FixityBytes)} re-read and hashed, {report.DeepChecked.Count} unit(s) deep-checked.");
            Unchanged(env, report);
            return ExitCodes.Ok;
        }

        foreach (var fault in report.Faults)
        {
            env.Error.WriteLine($"FAULT: {fault}");
        }

        Unchanged(env, report);
        env.Error.WriteLine($"amber verify: {report.Faults.Count} fault(s) found.");
        return ExitCodes.Failed;
    }

    /// <summary>Says which units were fixity-checked only (their bytes unchanged since a verify deep-checked them).</summary>
    private static void Unchanged(CliEnvironment env, VerifyReport report)
    {
        foreach (var u in report.FixityOnly)
        {
            env.Out.WriteLine($"unchanged: {u.Unit} since {u.CheckedAt}, deep-checked by check version {u.CheckVersion} (fixity only; --full checks it again)");
        }
    }
}

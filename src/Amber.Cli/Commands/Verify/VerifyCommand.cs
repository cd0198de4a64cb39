using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Storage;
using Amber.Storage.Verification;

namespace Amber.Cli.Commands.Verify;

internal static class VerifyCommand
{
    public static int Run(CliEnvironment env, bool json, string[] keptCheckpoints)
    {
        var kept = keptCheckpoints.Select(File.ReadAllText).ToList();
        VerifyReport report;
        try
        {
            using var archive = env.Open();
            report = ProgressDisplay.Run(env, "verify", p => ArchiveVerifier.Verify(archive, kept, p), ProgressDisplay.Scan("verify"));
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
            env.Out.WriteLine($"ok: {report.Segments} segment(s), {report.Frames} frame(s), {report.Commits} commit(s), {report.Nodes} node(s), {report.Blobs} blob(s), {Output.Bytes(report.Bytes)} re-read and verified.");
            return ExitCodes.Ok;
        }

        foreach (var fault in report.Faults)
        {
            env.Error.WriteLine($"FAULT: {fault}");
        }

        env.Error.WriteLine($"amber verify: {report.Faults.Count} fault(s) found.");
        return ExitCodes.Failed;
    }
}

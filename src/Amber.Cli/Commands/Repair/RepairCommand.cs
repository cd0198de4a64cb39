using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Storage;
using Amber.Storage.Repair;
using Amber.Storage.Verification;

namespace Amber.Cli.Commands.Repair;

internal static class RepairCommand
{
    public static int Run(CliEnvironment env, string from, bool json)
    {
        var repair = ShardReplica.Names(from) ? ShardReplica.Repair(env, from) : ArchiveRepair.Run(env.ArchiveDirectory, from);

        // The verdict is verify's: a restored file counts only once the whole archive checks out again.
        VerifyReport verify;
        try
        {
            using var archive = env.Open();
            verify = ArchiveVerifier.Verify(archive);
        }
        catch (CorruptArchiveException e)
        {
            verify = new VerifyReport();
            verify.Faults.Add(e.Message);
        }

        var ok = repair.Unrepaired.Count == 0 && verify.Ok;
        if (json)
        {
            static JsonArray Strings(IEnumerable<string> items) => new(items.Select(s => (JsonNode)s).ToArray());
            Output.JsonDocument(env.Out, new JsonObject
            {
                ["ok"] = ok,
                ["damaged"] = Strings(repair.Damaged),
                ["restored"] = Strings(repair.Restored),
                ["unrepaired"] = Strings(repair.Unrepaired),
                ["damaged_copies"] = repair.DamagedCopies,
                ["verify_faults"] = Strings(verify.Faults),
            });
            return ok ? ExitCodes.Ok : ExitCodes.Failed;
        }

        foreach (var line in repair.Restored)
        {
            env.Out.WriteLine($"restored: {line}");
        }

        foreach (var line in repair.Unrepaired)
        {
            env.Error.WriteLine($"UNREPAIRED: {line}");
        }

        foreach (var fault in verify.Faults)
        {
            env.Error.WriteLine($"FAULT: {fault}");
        }

        if (repair.DamagedCopies is not null)
        {
            env.Out.WriteLine($"the damaged originals are kept in {repair.DamagedCopies}");
        }

        if (ok)
        {
            env.Out.WriteLine(repair.Damaged.Count == 0
                ? "ok: no damaged segment or blob found; verify passes."
                : $"ok: {repair.Restored.Count} file(s) restored; verify passes.");
            return ExitCodes.Ok;
        }

        env.Error.WriteLine($"amber repair: {repair.Unrepaired.Count} file(s) not repaired, verify found {verify.Faults.Count} fault(s).");
        return ExitCodes.Failed;
    }
}

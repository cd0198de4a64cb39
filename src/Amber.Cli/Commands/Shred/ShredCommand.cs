using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Shred;

internal static class ShredCommand
{
    public static int Run(CliEnvironment env, string id, string reason, bool json)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            env.Error.WriteLine("amber: shred: --reason must say why (it is kept in keys.db, never in the log).");
            return ExitCodes.Failed;
        }

        using var archive = env.Open();
        Amber.Storage.ShredResult result;
        try
        {
            result = archive.Encryption.Shred(id, reason);
        }
        catch (ArgumentException e)
        {
            env.Error.WriteLine($"amber: shred: {e.Message}");
            return ExitCodes.Failed;
        }

        if (json)
        {
            Output.JsonLine(env.Out, new JsonObject
            {
                ["shredded"] = new JsonArray(result.Conversations.Select(c => (JsonNode)c).ToArray()),
                ["tombstone_seq"] = result.TombstoneSequence,
            });
            return ExitCodes.Ok;
        }

        foreach (var c in result.Conversations)
        {
            env.Out.WriteLine($"Shredded conversation {c}: its data key is destroyed and its index rows are gone.");
        }

        env.Out.WriteLine($"The tombstone is log entry {result.TombstoneSequence}; the log and every proof still verify.");
        env.Out.WriteLine("Backups of keys.db taken before now can still open it with the tenant key of that time: rotate the keys (amber keys rotate) to make those useless.");
        return ExitCodes.Ok;
    }
}

using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Keys;

internal static class KeysCommand
{
    public static int Rotate(CliEnvironment env, string? tenant, bool json)
    {
        using var archive = env.Open();
        var results = archive.Encryption.RotateKeys(tenant);
        if (json)
        {
            Output.JsonLine(env.Out, new JsonObject
            {
                ["rotated"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
                {
                    ["tenant"] = r.Tenant,
                    ["version"] = r.Version,
                    ["rewrapped"] = r.Rewrapped,
                    ["not_retired"] = new JsonArray(r.NotRetired.Select(n => (JsonNode)n).ToArray()),
                }).ToArray()),
            });
            return ExitCodes.Ok;
        }

        if (results.Count == 0)
        {
            env.Out.WriteLine("No tenant has a data key yet: nothing to rotate.");
        }

        foreach (var r in results)
        {
            env.Out.WriteLine($"Tenant {r.Tenant}: key version {r.Version} is current; {r.Rewrapped} data keys re-wrapped under it (content untouched).");
            foreach (var note in r.NotRetired)
            {
                env.Error.WriteLine($"amber: keys rotate: {note}");
            }
        }

        return ExitCodes.Ok;
    }
}

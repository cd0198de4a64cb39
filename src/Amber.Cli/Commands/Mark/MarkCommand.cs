using Amber.Cli.Infrastructure;
using Amber.Revive;

namespace Amber.Cli.Commands.Mark;

internal static class MarkCommand
{
    public static async Task<int> RunAsync(CliEnvironment env, string id, bool rest, string? reason, string? by, bool json, CancellationToken ct)
    {
        if (!rest)
        {
            env.Error.WriteLine("amber: say what to mark: --rest (do-not-revive).");
            return ExitCodes.Usage;
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            env.Error.WriteLine("amber: --rest needs --reason TEXT (the reason is recorded).");
            return ExitCodes.Usage;
        }

        await using var archive = env.Open();
        try
        {
            var mark = await RestMarks.MarkAsync(archive, TimeProvider.System, id, reason, by ?? Environment.UserName, ct).ConfigureAwait(false);
            if (json)
            {
                Output.JsonDocument(env.Out, mark.ToJson().Also(o => o["id"] = mark.Id));
            }
            else
            {
                env.Out.WriteLine($"amber: {Output.ShortId(mark.Target)} is marked do-not-revive ({mark.Reason}); annotation {mark.Id}.");
            }

            return ExitCodes.Ok;
        }
        catch (ArgumentException e)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    private static System.Text.Json.Nodes.JsonObject Also(this System.Text.Json.Nodes.JsonObject o, Action<System.Text.Json.Nodes.JsonObject> change)
    {
        change(o);
        return o;
    }
}

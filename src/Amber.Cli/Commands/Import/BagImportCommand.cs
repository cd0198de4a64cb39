using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Import.Bag;
using Amber.Storage;

namespace Amber.Cli.Commands.Import;

/// <summary><c>amber import BAG</c>: a folder with a bagit.txt is read as a bag <c>amber export --bagit</c> wrote.</summary>
internal static class BagImportCommand
{
    public static async Task<int> Run(CliEnvironment env, Archive archive, string bag, bool json, CancellationToken ct)
    {
        BagImportResult result;
        try
        {
            result = await BagImporter.ImportAsync(archive, bag, ct).ConfigureAwait(false);
        }
        catch (BagRefusedException e)
        {
            env.Error.WriteLine($"amber: the bag {bag} is refused, nothing was imported: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (InvalidOperationException e)
        {
            env.Error.WriteLine($"amber: {bag}: {e.Message}");
            return ExitCodes.Failed;
        }

        if (json)
        {
            Output.JsonDocument(env.Out, new JsonObject
            {
                ["bag"] = Path.GetFullPath(bag),
                ["commits"] = result.Commits,
                ["conversations"] = result.Conversations,
                ["nodes"] = result.Nodes,
                ["blobs"] = result.Blobs,
                ["tree_size"] = result.TreeSize,
                ["origin"] = result.Origin,
                ["same_log"] = result.SameLog,
            });
        }
        else if (result.Commits == 0 && result.SameLog)
        {
            env.Out.WriteLine($"bag {bag}: the archive already holds its log (size {result.TreeSize:N0}); nothing to import.");
        }
        else
        {
            env.Out.WriteLine($"bag {bag}: {result.Commits:N0} commits, {result.Conversations:N0} conversations, {result.Nodes:N0} nodes, {result.Blobs:N0} blobs imported.");
            env.Out.WriteLine(result.SameLog
                ? $"  the log is the original's up to size {result.TreeSize:N0}: receipts of {result.Origin} verify against it (amber log verify-receipt R --vkey {Path.Combine(bag, "data", "log", "vkey")})."
                : $"  a tenant's bag: its commits are new log entries here; its receipts verify with {Path.Combine(bag, "data", "log", "vkey")}.");
        }

        return ExitCodes.Ok;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Storage;
using Amber.Storage.Export;

namespace Amber.Cli.Commands.Export;

internal static class ExportCommand
{
    public static int Run(CliEnvironment env, string directory, string? since, string? tenant, bool json)
    {
        BagExportOptions options;
        try
        {
            options = Options(since, tenant);
        }
        catch (ArgumentException e)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Usage;
        }

        using var archive = env.Open();
        if (LockedContent.RefuseExport(env, archive, tenant))
        {
            return ExitCodes.Failed;
        }

        BagExportResult result;
        try
        {
            result = ProgressDisplay.Run<BagExportProgress, BagExportResult>(
                env,
                "export",
                progress => BagExport.Write(archive, directory, options, progress),
                (task, p) =>
                {
                    task.Description = $"export: log entry {p.Entries:N0} of {p.EntriesTotal:N0}";
                    task.MaxValue = Math.Max(1, p.EntriesTotal);
                    task.Value = Math.Min(p.Entries, task.MaxValue);
                });
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException or CorruptArchiveException)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Failed;
        }

        if (archive.Encryption.IsEncrypted)
        {
            env.Info.WriteLine($"amber: note: {archive.Directory} is encrypted; the bag {result.Directory} holds its content in the clear (and no key): keep it as you keep the keys.");
        }

        if (json)
        {
            Output.JsonDocument(env.Out, new JsonObject
            {
                ["bag"] = Path.GetFullPath(result.Directory),
                ["since_tree_size"] = result.FromSize,
                ["tree_size"] = result.ToSize,
                ["commits"] = result.Commits,
                ["conversations"] = result.Conversations,
                ["nodes"] = result.Nodes,
                ["blobs"] = result.Blobs,
                ["payload_bytes"] = result.PayloadBytes,
                ["payload_files"] = result.PayloadFiles,
            });
        }
        else
        {
            env.Out.WriteLine($"bag {result.Directory}: {result.Commits:N0} commits (log entries {result.FromSize + 1:N0}..{result.ToSize:N0}), {result.Conversations:N0} conversations, {result.Nodes:N0} nodes, {result.Blobs:N0} blobs, {Output.Bytes(result.PayloadBytes)} in {result.PayloadFiles:N0} files.");
            env.Out.WriteLine($"  read it with its FORMAT.md; next time: amber export --bagit NEW --since {result.Directory}");
        }

        return ExitCodes.Ok;
    }

    /// <summary>--since takes an earlier bag's folder, a signed checkpoint file, or a tree size.</summary>
    private static BagExportOptions Options(string? since, string? tenant)
    {
        if (since is null)
        {
            return new BagExportOptions { Tenant = tenant };
        }

        if (long.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            return new BagExportOptions { SinceSize = size, Tenant = tenant };
        }

        var file = Directory.Exists(since) ? Path.Combine(since, "data", "log", "checkpoint") : since;
        if (!File.Exists(file))
        {
            throw new ArgumentException($"--since: {since} is neither a bag folder, a checkpoint file nor a tree size.");
        }

        return new BagExportOptions { SinceCheckpoint = File.ReadAllText(file), Tenant = tenant };
    }
}

using System.Diagnostics;
using Amber.Cli.Infrastructure;
using Amber.Import;
using Amber.Import.Formats;
using Spectre.Console;

namespace Amber.Cli.Commands.Import;

internal static class ImportCommand
{
    public static async Task<int> Run(CliEnvironment env, string[] paths, string format, bool json, double? watchSeconds, CancellationToken ct)
    {
        using var archive = env.Open(createIfMissing: true, ImportOptions.ArchiveCompressionLevel);
        if (archive.IsReadOnly)
        {
            env.Error.WriteLine("amber: another process (amber serve?) holds the archive's writer lock; importing through it is not possible yet. Stop it and run again.");
            return ExitCodes.Failed;
        }

        if (paths is [var only] && Amber.Import.Bag.BagImporter.IsBag(only) && watchSeconds is null)
        {
            return await BagImportCommand.Run(env, archive, only, json, ct).ConfigureAwait(false);
        }

        var importer = new Importer(archive, FormatRegistry.All, new ImportOptions { Format = format });
        if (watchSeconds is { } seconds)
        {
            return await ImportWatch.Run(env, importer, archive.Directory, paths, TimeSpan.FromSeconds(seconds), json, ct).ConfigureAwait(false);
        }

        var clock = Stopwatch.StartNew();
        var summary = ProgressDisplay.Run<ImportProgress, ImportSummary>(env, "reading", p => importer.Run(paths, p, ct), (task, p) =>
        {
            var rate = p.Conversations / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            task.Description = $"{Markup.Escape(Path.GetFileName(p.File))}: {p.Conversations:N0} conversations ({rate:N0}/s)";
            task.MaxValue = Math.Max(1, p.BytesTotal);
            task.Value = Math.Min(p.BytesRead, task.MaxValue);
        });

        if (json)
        {
            Output.JsonDocument(env.Out, ImportOutput.Json(summary, clock.Elapsed));
        }
        else
        {
            ImportOutput.Table(env, summary, clock.Elapsed);
        }

        return summary.Ok ? ExitCodes.Ok : ExitCodes.Failed;
    }
}

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
        using var archive = env.Open(createIfMissing: true);
        if (archive.IsReadOnly)
        {
            env.Error.WriteLine("amber: another process (amber serve?) holds the archive's writer lock; importing through it is not possible yet. Stop it and run again.");
            return ExitCodes.Failed;
        }

        var importer = new Importer(archive, FormatRegistry.All, new ImportOptions { Format = format });
        if (watchSeconds is { } seconds)
        {
            return await ImportWatch.Run(env, importer, archive.Directory, paths, TimeSpan.FromSeconds(seconds), json, ct).ConfigureAwait(false);
        }

        var clock = Stopwatch.StartNew();
        ImportSummary summary;
        var interactive = !json && env.Out == Console.Out && !Console.IsOutputRedirected;
        if (interactive)
        {
            summary = null!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("reading", maxValue: 1);
                    var progress = new Progress<ImportProgress>(p =>
                    {
                        var rate = p.Conversations / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                        task.Description = $"{Markup.Escape(Path.GetFileName(p.File))}: {p.Conversations:N0} conversations ({rate:N0}/s)";
                        task.MaxValue = Math.Max(1, p.BytesTotal);
                        task.Value = Math.Min(p.BytesRead, task.MaxValue);
                    });
                    summary = importer.Run(paths, progress, ct);
                    task.Value = task.MaxValue;
                });
        }
        else
        {
            summary = importer.Run(paths, null, ct);
        }

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

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Import;
using Amber.Import.Formats;
using Spectre.Console;

namespace Amber.Cli.Commands.Import;

internal static class ImportCommand
{
    public static Task<int> Run(CliEnvironment env, string[] paths, string format, bool json, CancellationToken ct)
    {
        using var archive = env.Open(createIfMissing: true);
        if (archive.IsReadOnly)
        {
            env.Error.WriteLine("amber: another process (amber serve?) holds the archive's writer lock; importing through it is not possible yet. Stop it and run again.");
            return Task.FromResult(ExitCodes.Failed);
        }

        var importer = new Importer(archive, FormatRegistry.All, new ImportOptions { Format = format });
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
            Output.JsonDocument(env.Out, ToJson(summary, clock.Elapsed));
        }
        else
        {
            var table = new Table().AddColumns("file", "format", "conversations", "nodes", "instances", "new conversations", "new nodes");
            foreach (var f in summary.Files)
            {
                table.AddRow(
                    Markup.Escape(f.File),
                    f.Format,
                    N(f.Conversations),
                    N(f.Nodes),
                    N(f.Instances),
                    N(f.NewConversations),
                    f.Error is null ? N(f.NewNodes) : "[red]failed[/]");
            }

            ConsoleFactory.For(env.Out).Write(table);
            var rate = summary.Conversations / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            env.Out.WriteLine($"{summary.Conversations:N0} conversations ({summary.NewConversations:N0} new), {summary.Nodes:N0} nodes, {summary.Instances:N0} instances in {clock.Elapsed.TotalSeconds:0.0} s ({rate:N0} conversations/s).");
            foreach (var f in summary.Files)
            {
                foreach (var (note, n) in f.Notes)
                {
                    env.Out.WriteLine($"{f.File}: {N(n)} conversations: {note}");
                }
            }

            foreach (var s in summary.Skipped)
            {
                env.Error.WriteLine($"amber: skipped {s.Path}: {s.Reason}");
            }

            foreach (var e in summary.Errors)
            {
                env.Error.WriteLine($"amber: error: {e}");
            }
        }

        return Task.FromResult(summary.Ok ? ExitCodes.Ok : ExitCodes.Failed);
    }

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static JsonObject ToJson(ImportSummary s, TimeSpan elapsed) => new()
    {
        ["conversations"] = s.Conversations,
        ["nodes"] = s.Nodes,
        ["instances"] = s.Instances,
        ["new_conversations"] = s.NewConversations,
        ["new_nodes"] = s.NewNodes,
        ["raw_bytes"] = s.RawBytes,
        ["seconds"] = Math.Round(elapsed.TotalSeconds, 3),
        ["errors"] = new JsonArray(s.Errors.Select(e => (JsonNode)e).ToArray()),
        ["skipped"] = new JsonArray(s.Skipped.Select(k => (JsonNode)new JsonObject { ["path"] = k.Path, ["reason"] = k.Reason }).ToArray()),
        ["files"] = new JsonArray(s.Files.Select(f => (JsonNode)new JsonObject
        {
            ["file"] = f.File,
            ["format"] = f.Format,
            ["conversations"] = f.Conversations,
            ["nodes"] = f.Nodes,
            ["instances"] = f.Instances,
            ["new_conversations"] = f.NewConversations,
            ["new_nodes"] = f.NewNodes,
            ["error"] = f.Error,
            ["notes"] = new JsonObject(f.Notes.Select(n => KeyValuePair.Create(n.Key, (JsonNode?)n.Value))),
        }).ToArray()),
    };
}

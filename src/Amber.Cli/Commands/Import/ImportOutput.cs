using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Import;
using Spectre.Console;

namespace Amber.Cli.Commands.Import;

/// <summary>An import summary as a table and notes for people, or as JSON: what was imported, and everything that was not and why.</summary>
internal static class ImportOutput
{
    /// <summary>Subjects of one note kind listed in the text output, at most (the JSON carries the file's whole bounded list).</summary>
    private const int SubjectsShown = 5;

    public static void Table(CliEnvironment env, ImportSummary summary, TimeSpan elapsed)
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
        env.Out.WriteLine(Totals(summary, elapsed));
        Notes(env, summary);
    }

    /// <summary>The totals line, saying why a re-read adds fewer nodes than it read (so `import` and `stats` never seem to disagree).</summary>
    public static string Totals(ImportSummary summary, TimeSpan elapsed)
    {
        var rate = summary.Conversations / Math.Max(elapsed.TotalSeconds, 0.001);
        var line = $"{summary.Conversations:N0} conversations ({summary.NewConversations:N0} new), {summary.Nodes:N0} nodes, {summary.Instances:N0} instances in {elapsed.TotalSeconds:0.0} s ({rate:N0} conversations/s).";
        if (summary.NewNodes < summary.Nodes && summary.Ok)
        {
            line += $" {summary.NewNodes:N0} nodes were new: the other {summary.Nodes - summary.NewNodes:N0} were already in the archive or repeat nodes the source holds twice (branch copies of a conversation, repeated records), which the archive stores once; `amber stats` counts stored nodes.";
        }

        return line;
    }

    /// <summary>Skipped files, files not read as conversations, per-file notes (silent with --quiet) and errors, one line each, on stderr.</summary>
    public static void Notes(CliEnvironment env, ImportSummary summary)
    {
        var w = env.Info;
        foreach (var s in summary.Skipped)
        {
            w.WriteLine($"amber: skipped {s.Path}: {s.Reason}");
        }

        if (summary.Ignored.Count > 0)
        {
            var byExtension = string.Join(", ", IgnoredByExtension(summary).Select(e => $"{e.Key} ×{e.Value:N0}"));
            w.WriteLine($"amber: not read as conversations: {summary.Ignored.Count:N0} files ({byExtension}); attachments a conversation links among them are stored with it.");
        }

        foreach (var f in summary.Files.Where(f => !f.Notes.IsEmpty))
        {
            foreach (var (note, n) in f.Notes.Of(ImportNoteKind.Decision))
            {
                w.WriteLine($"amber: {f.File}: {n:N0} conversations: {note}");
            }

            foreach (var (kind, label) in Kinds)
            {
                var subjects = f.Notes.Of(kind);
                if (subjects.Count > 0)
                {
                    var listed = string.Join(", ", subjects.OrderByDescending(p => p.Value).Take(SubjectsShown).Select(p => $"{p.Key} ×{p.Value:N0}"));
                    var more = subjects.Count > SubjectsShown ? $", … ({subjects.Count:N0} kinds; see --json)" : "";
                    w.WriteLine($"amber: {f.File}: {label}: {f.Notes.Total(kind):N0} ({listed}{more})");
                }
            }
        }

        foreach (var e in summary.Errors)
        {
            env.Error.WriteLine($"amber: error: {e}");
        }
    }

    public static JsonObject Json(ImportSummary s, TimeSpan elapsed) => new()
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
        ["ignored"] = new JsonObject
        {
            ["files"] = s.Ignored.Count,
            ["by_extension"] = Counts(IgnoredByExtension(s)),
        },
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
            ["unmapped_fields"] = Counts(f.Notes.Of(ImportNoteKind.UnmappedField)),
            ["unplaced_records"] = Counts(f.Notes.Of(ImportNoteKind.UnplacedRecord)),
            ["inferred_models"] = Counts(f.Notes.Of(ImportNoteKind.InferredModel)),
            ["notes"] = Counts(f.Notes.Of(ImportNoteKind.Decision)),
        }).ToArray()),
    };

    private static readonly (ImportNoteKind Kind, string Label)[] Kinds =
    [
        (ImportNoteKind.UnmappedField, "fields not mapped (kept in the raw source only)"),
        (ImportNoteKind.UnplacedRecord, "records not placed in a tree (kept in the raw source only)"),
        (ImportNoteKind.InferredModel, "replies whose model the source does not state (credited to an inferred model, marked inferred)"),
    ];

    private static SortedDictionary<string, int> IgnoredByExtension(ImportSummary s)
        => new(s.Ignored.GroupBy(f => Path.GetExtension(f.Replace('!', '/')) is { Length: > 0 } e ? e.ToLowerInvariant() : "(no extension)").ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

    private static JsonObject Counts(IEnumerable<KeyValuePair<string, int>> counts)
    {
        var o = new JsonObject();
        foreach (var (k, v) in counts)
        {
            o[k] = v;
        }

        return o;
    }

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

using System.CommandLine;
using System.CommandLine.Completions;
using Amber.Cli.Infrastructure;
using Amber.Import.Formats;

namespace Amber.Cli.Commands.Import;

internal static class ImportCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Export files, folders or .zip exports, or one bag folder written by amber export --bagit", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = "The source format, or auto to detect each file's", DefaultValueFactory = _ => "auto" };
        // The accepted names come from the format registry, which reflects over and constructs every format: asked for only
        // when an import is parsed or its help shown, not by every command's start (verify, show, …).
        static IEnumerable<string> Accepted() => ["auto", .. FormatRegistry.Names];
        format.CompletionSources.Add(_ => Accepted().Order(StringComparer.Ordinal).Select(n => new CompletionItem(n)));
        format.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && r.Tokens[^1].Value is var value && !Accepted().Contains(value, StringComparer.Ordinal))
            {
                r.AddError($"Argument '{value}' not recognized. Must be one of:{string.Concat(Accepted().Select(n => $"\n\t'{n}'"))}");
            }
        });
        var watch = new Option<bool>("--watch") { Description = "Keep importing new and growing files under the paths (e.g. ~/.claude/projects) until Ctrl-C or SIGTERM; a file is read once it held still for one interval" };
        var interval = new Option<double>("--interval") { Description = "Seconds between two polls of --watch", DefaultValueFactory = _ => 2 };
        interval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (> 0 and <= 86_400))
            {
                r.AddError("--interval must be between 0 and 86400 seconds.");
            }
        });
        var command = new Command("import", "Import chat exports and datasets, losslessly and idempotently") { paths, format, CommonOptions.Json, watch, interval, CommonOptions.NoEncryption };
        command.SetAction((parse, ct) => ImportCommand.Run(env(parse), parse.GetValue(paths)!, parse.GetValue(format)!, parse.GetValue(CommonOptions.Json), parse.GetValue(watch) ? parse.GetValue(interval) : null, ct));
        return command;
    }
}

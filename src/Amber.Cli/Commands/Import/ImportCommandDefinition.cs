using System.CommandLine;
using Amber.Cli.Infrastructure;
using Amber.Import.Formats;

namespace Amber.Cli.Commands.Import;

internal static class ImportCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Export files, folders or .zip exports", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = "The source format, or auto to detect each file's", DefaultValueFactory = _ => "auto" };
        format.AcceptOnlyFromAmong(["auto", .. FormatRegistry.Names]);
        var command = new Command("import", "Import chat exports and datasets, losslessly and idempotently") { paths, format, CommonOptions.Json };
        command.SetAction((parse, ct) => ImportCommand.Run(env(parse), parse.GetValue(paths)!, parse.GetValue(format)!, parse.GetValue(CommonOptions.Json), ct));
        return command;
    }
}

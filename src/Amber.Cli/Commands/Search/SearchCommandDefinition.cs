using System.CommandLine;
using Amber.Cli.Infrastructure;
using Amber.Storage.Reading;

namespace Amber.Cli.Commands.Search;

internal static class SearchCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var query = new Argument<string>("QUERY") { Description = "Words to find (all must match); \"quoted words\" match as a phrase" };
        var newest = new Option<bool>("--newest") { Description = "Most recently archived messages first, instead of best match first" };
        var command = new Command("search", "Full-text search over message text") { query, newest, CommonOptions.Count, CommonOptions.Json };
        command.SetAction(parse => SearchCommand.Run(
            env(parse), parse.GetValue(query)!, parse.GetValue(CommonOptions.Count) ?? 20, parse.GetValue(CommonOptions.Json),
            parse.GetValue(newest) ? SearchOrder.Newest : SearchOrder.Rank));
        return command;
    }
}

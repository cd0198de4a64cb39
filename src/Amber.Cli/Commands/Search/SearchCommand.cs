using Amber.Cli.Infrastructure;
using Amber.Storage.Reading;
using Spectre.Console;

namespace Amber.Cli.Commands.Search;

internal static class SearchCommand
{
    public static int Run(CliEnvironment env, string query, int count, bool json, SearchOrder order)
    {
        using var archive = env.Open();
        var hits = archive.Search(query, count, order);
        if (json)
        {
            foreach (var h in hits)
            {
                Output.JsonLine(env.Out, ReadingJson.Hit(h));
            }

            return ExitCodes.Ok;
        }

        if (hits.Count == 0)
        {
            env.Out.WriteLine($"No messages match \"{query}\".");
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("conversation", "title", "node", "role", "match");
        foreach (var h in hits)
        {
            var snippet = Markup.Escape(h.Snippet.ReplaceLineEndings(" "))
                .Replace("«", "[bold yellow]", StringComparison.Ordinal)
                .Replace("»", "[/]", StringComparison.Ordinal);
            table.AddRow(new Markup(Output.ShortId(h.Conversation)), new Markup(Markup.Escape(h.Title ?? "")), new Markup(Output.ShortId(h.Node)), new Markup(h.Role), new Markup(snippet));
        }

        ConsoleFactory.For(env.Out).Write(table);
        return ExitCodes.Ok;
    }
}

using Amber.Cli.Infrastructure;
using Amber.Storage.Reading;
using Spectre.Console;

namespace Amber.Cli.Commands.Ls;

internal static class LsCommand
{
    public static int Run(CliEnvironment env, int count, bool instances, string? model, string? source, string? tier, bool json)
    {
        if (count < 0)
        {
            env.Error.WriteLine("amber: -n must be zero or more.");
            return ExitCodes.Usage;
        }

        using var archive = env.Open();
        if (instances)
        {
            var list = archive.ListInstances(count);
            if (json)
            {
                foreach (var i in list)
                {
                    Output.JsonLine(env.Out, ReadingJson.Instance(i));
                }

                return ExitCodes.Ok;
            }

            var t = new Table().AddColumns("instance", "conversation", "title", "depth", "tier", "created");
            foreach (var i in list)
            {
                t.AddRow(Output.ShortId(i.Id), Output.ShortId(i.Conversation), Markup.Escape(i.Title ?? ""), i.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture), i.Tier, i.Created);
            }

            ConsoleFactory.For(env.Out).Write(t);
            return ExitCodes.Ok;
        }

        var filter = new ConversationFilter(model, source, tier is null ? null : tier[1] - '0');
        var page = archive.ListConversations(count, filter);
        if (json)
        {
            foreach (var s in page)
            {
                Output.JsonLine(env.Out, ReadingJson.Summary(s));
            }

            return ExitCodes.Ok;
        }

        if (page.Count == 0)
        {
            env.Out.WriteLine("The archive holds no conversations yet.");
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("id", "created", "title", "source", "nodes", "instances", "models", "tier");
        foreach (var s in page)
        {
            table.AddRow(
                Output.ShortId(s.Id),
                s.Created.Length >= 16 ? s.Created[..16].Replace('T', ' ') : s.Created,
                Markup.Escape(s.Title ?? "(untitled)"),
                Markup.Escape(s.Format),
                s.Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                s.Instances.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", s.Models)),
                s.Tier);
        }

        ConsoleFactory.For(env.Out).Write(table);
        return ExitCodes.Ok;
    }
}

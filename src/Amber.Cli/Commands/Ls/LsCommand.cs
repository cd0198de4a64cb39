using Amber.Cli.Infrastructure;
using Amber.Storage.Reading;
using Spectre.Console;

namespace Amber.Cli.Commands.Ls;

internal static class LsCommand
{
    public static int Run(CliEnvironment env, int count, bool instances, string? model, string? source, string? tier, bool json, bool cluster = false)
    {
        if (count < 0)
        {
            env.Error.WriteLine("amber: -n must be zero or more.");
            return ExitCodes.Usage;
        }

        var filter = new ConversationFilter(model, source, tier is null ? null : tier[1] - '0');
        if (ClusterEngines.ReadsCluster(env, cluster))
        {
            // The whole cluster archive, every node's shard, through its PostgreSQL catalogue.
            IReadOnlyList<InstanceSummary>? listed = null;
            IReadOnlyList<ConversationSummary> conversations = [];
            try
            {
                var catalogue = ClusterEngines.OpenCatalogue(env);
                try
                {
                    if (instances)
                    {
                        listed = catalogue.ListInstancesAsync(count).GetAwaiter().GetResult();
                    }
                    else
                    {
                        conversations = catalogue.PageConversationsAsync(count, filter).GetAwaiter().GetResult();
                    }
                }
                finally
                {
                    catalogue.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or Npgsql.NpgsqlException)
            {
                // The connection string may hold a password: name the server's answer, never the string.
                env.Error.WriteLine($"amber: the cluster's catalogue could not be read: {e.Message}");
                return ExitCodes.Failed;
            }

            return listed is not null ? WriteInstances(env, listed, json) : WriteConversations(env, conversations, json);
        }

        using var archive = env.Open();
        return instances ? WriteInstances(env, archive.ListInstances(count), json) : WriteConversations(env, archive.ListConversations(count, filter), json);
    }

    private static int WriteInstances(CliEnvironment env, IReadOnlyList<InstanceSummary> list, bool json)
    {
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

    private static int WriteConversations(CliEnvironment env, IReadOnlyList<ConversationSummary> page, bool json)
    {
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

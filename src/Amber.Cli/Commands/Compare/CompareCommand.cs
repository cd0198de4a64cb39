using System.Text.Json.Nodes;
using Amber.Cli.Commands.Revive;
using Amber.Cli.Infrastructure;
using Amber.Revive;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace Amber.Cli.Commands.Compare;

internal static class CompareCommand
{
    /// <param name="overrideRest">The reason given with --override-rest, or null without it.</param>
    public static async Task<int> RunAsync(CliEnvironment env, string id, string model, ChatOptions options, bool json, string? overrideRest, CancellationToken ct)
    {
        if (overrideRest is { } r && string.IsNullOrWhiteSpace(r))
        {
            env.Error.WriteLine("amber: --override-rest needs --reason TEXT (the reason is recorded).");
            return ExitCodes.Usage;
        }

        await using var archive = env.Open();
        if (LockedContent.Refuse(env, archive, id, "compare"))
        {
            return ExitCodes.Failed;
        }

        RevivalBackend backend;
        try
        {
            backend = Backends.Resolve(model, RevivalTarget.Resolve(archive, id), null, freeze: false, options);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Failed;
        }

        try
        {
            var turns = await new Comparer(archive, TimeProvider.System).CompareAsync(id, backend, ct, overrideRest).ConfigureAwait(false);
            if (json)
            {
                Output.JsonDocument(env.Out, new JsonObject
                {
                    ["instance"] = turns[^1].NewNode,
                    ["turns"] = new JsonArray(turns.Select(t => (JsonNode)new JsonObject
                    {
                        ["user"] = t.UserText,
                        ["original"] = new JsonObject { ["node"] = t.OriginalNode, ["model"] = t.OriginalModel, ["text"] = t.OriginalAnswer },
                        ["new"] = new JsonObject { ["node"] = t.NewNode, ["model"] = t.NewModel, ["text"] = t.NewAnswer },
                    }).ToArray()),
                });
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("user", $"original ({turns[0].OriginalModel ?? "unknown model"})", $"new ({turns[0].NewModel})");
            foreach (var t in turns)
            {
                table.AddRow(Markup.Escape(t.UserText), Markup.Escape(t.OriginalAnswer), Markup.Escape(t.NewAnswer));
            }

            ConsoleFactory.For(env.Out).Write(table);
            env.Out.WriteLine($"amber: saved as comparison instance {turns[^1].NewNode}.");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ArgumentException or HttpRequestException or RevivalRefusedException)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            Backends.Release(backend);
        }
    }
}

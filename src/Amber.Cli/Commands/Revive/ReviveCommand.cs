using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Revive;
using Amber.Revive.LlamaSharp;
using Microsoft.Extensions.AI;

namespace Amber.Cli.Commands.Revive;

internal static class ReviveCommand
{
    public static async Task<int> RunAsync(CliEnvironment env, Arguments a, CancellationToken ct)
    {
        if (a.OverrideRest && string.IsNullOrWhiteSpace(a.Reason))
        {
            env.Error.WriteLine("amber: --override-rest needs --reason TEXT (the reason is recorded).");
            return ExitCodes.Usage;
        }

        await using var archive = env.Open();
        if (LockedContent.Refuse(env, archive, a.Id, "revive"))
        {
            return ExitCodes.Failed;
        }

        RevivalBackend backend;
        RevivalTarget target;
        try
        {
            target = RevivalTarget.Resolve(archive, a.Id);
            backend = Backends.Resolve(a.Model, target, a.Models, a.Freeze, a.Options);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Failed;
        }

        try
        {
            var reviver = new Reviver(archive, TimeProvider.System);
            var options = new RevivalOptions
            {
                Backend = backend,
                By = a.By ?? Environment.UserName,
                Notice = a.Notice,
                NoNotice = a.NoNotice,
                OverrideRestReason = a.OverrideRest ? a.Reason : null,
            };
            RevivalSession session;
            try
            {
                session = await reviver.BeginAsync(target.LeafId, options, ct).ConfigureAwait(false);
            }
            catch (RevivalRefusedException e)
            {
                env.Error.WriteLine($"amber: {e.Message}");
                return ExitCodes.Failed;
            }

            var turns = new List<RevivalTurn>();
            if (!a.Json)
            {
                env.Out.WriteLine($"amber: reviving {Output.ShortId(target.LeafId)} on {backend.Model} ({backend.Name}); each turn is recorded as it completes.");
            }

            if (session.NoticeReply is { } reply)
            {
                turns.Add(reply);
                if (!a.Json)
                {
                    env.Out.WriteLine($"notice › {ChatHistory.TextOf(archive.GetNode(reply.UserNode)!)}");
                    env.Out.WriteLine($"{backend.Model} › {reply.Answer}");
                }
            }

            IEnumerable<string> inputs = a.Messages.Length > 0 ? a.Messages : ReadLines(env);
            foreach (var text in inputs)
            {
                var turn = await reviver.SendAsync(session, text, ct).ConfigureAwait(false);
                turns.Add(turn);
                if (!a.Json)
                {
                    env.Out.WriteLine($"{backend.Model} › {turn.Answer}");
                }
            }

            if (a.Json)
            {
                Output.JsonDocument(env.Out, new JsonObject
                {
                    ["revived_from"] = target.LeafId,
                    ["branch"] = session.BranchRoot,
                    ["instance"] = session.Leaf,
                    ["substitute"] = session.Substitute,
                    ["override_rest"] = session.OverrideAnnotation,
                    ["turns"] = new JsonArray(turns.Select(t => (JsonNode)new JsonObject { ["user"] = t.UserNode, ["answer"] = t.AnswerNode, ["text"] = t.Answer, ["model"] = t.ModelId, ["substitute"] = t.Substitute }).ToArray()),
                });
            }
            else
            {
                env.Out.WriteLine($"amber: revived instance is {session.Leaf}{(session.Substitute == true ? " (substitute model)" : "")}.");
            }

            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is HttpRequestException or StateLoadException or ArgumentException)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            Backends.Release(backend);
        }
    }

    private static IEnumerable<string> ReadLines(CliEnvironment env)
    {
        if (!Console.IsInputRedirected)
        {
            env.Out.WriteLine("amber: type a message and press Enter; an empty line, /exit or end of input stops.");
        }

        while (true)
        {
            if (!Console.IsInputRedirected)
            {
                env.Out.Write("you › ");
            }

            var line = Console.In.ReadLine();
            if (line is null || line.Length == 0 || line.Trim() == "/exit")
            {
                yield break;
            }

            yield return line;
        }
    }

    internal sealed record Arguments(
        string Id,
        string? Model,
        string[] Messages,
        bool NoNotice,
        string? Notice,
        string? By,
        bool OverrideRest,
        string? Reason,
        string? Models,
        bool Freeze,
        ChatOptions Options,
        bool Json);
}

using Amber.Cli.Infrastructure;
using Amber.Revive;
using Amber.Revive.LlamaSharp;
using Amber.Revive.Replay;
using Spectre.Console;

namespace Amber.Cli.Commands.Replay;

internal static class ReplayCommand
{
    public static async Task<int> RunAsync(CliEnvironment env, string id, string? models, string? model, bool json, CancellationToken ct)
    {
        await using var archive = env.Open();
        if (LockedContent.Refuse(env, archive, id, "replay"))
        {
            return ExitCodes.Failed;
        }

        RevivalTarget target;
        RevivalBackend? hosted = null;
        try
        {
            target = RevivalTarget.Resolve(archive, id);
            if (model is not null)
            {
                hosted = HostedBackends.Handles(model) ? HostedBackends.Create(model, Environment.GetEnvironmentVariable) : throw new ArgumentException($"-m {model}: replay compares T3 turns with openai:MODEL or anthropic:MODEL.");
            }
        }
        catch (ArgumentException e)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Failed;
        }

        using var local = new LocalReplayer(models is null ? null : new ModelDirectory(models), blobs: archive.GetBlob);
        var replayers = new List<ITurnReplayer> { local };
        if (hosted is not null)
        {
            replayers.Add(new HostedReplayer(hosted));
        }

        ReplayReport report;
        try
        {
            report = await ProgressDisplay.RunAsync<ReplayProgress, ReplayReport>(env, "replay", p => new InstanceReplayer(replayers).ReplayAsync(target, p, ct), (task, p) =>
            {
                task.Description = $"replay: turn {p.Turns:N0} of {p.TurnsTotal:N0}";
                task.MaxValue = Math.Max(1, p.TurnsTotal);
                task.Value = p.Turns;
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or HttpRequestException)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            hosted?.Client.Dispose();
        }

        if (json)
        {
            Output.JsonDocument(env.Out, report.ToJson());
        }
        else
        {
            var table = new Table().AddColumns("turn", "tier", "model", "status", "detail");
            foreach (var t in report.Turns)
            {
                var detail = t.Status switch
                {
                    ReplayStatus.Exact => $"{t.Tokens} tokens identical",
                    ReplayStatus.Diverged => $"diverged at token {t.DivergedAt}: recorded {t.RecordedToken}, re-derived {t.ReplayedToken}",
                    ReplayStatus.Replicated => $"similarity {t.Similarity:0.00} (not exact)",
                    _ => t.Reason ?? "",
                };
                table.AddRow(Markup.Escape(Output.ShortId(t.Node)), t.Tier, Markup.Escape(t.Model ?? "?"), t.Status, Markup.Escape(detail));
            }

            var console = ConsoleFactory.For(env.Out);
            console.Write(table);
            console.WriteLine($"{report.Exact} exact, {report.Diverged} diverged, {report.Replicated} replicated, {report.Skipped} skipped");
        }

        return report.Diverged > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }
}

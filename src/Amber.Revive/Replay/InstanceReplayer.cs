using Amber.Core.Model;

namespace Amber.Revive.Replay;

/// <summary>Walks an instance and replays every generated turn with the first replayer that applies.</summary>
public sealed class InstanceReplayer(IReadOnlyList<ITurnReplayer> replayers)
{
    public Task<ReplayReport> ReplayAsync(RevivalTarget target, CancellationToken ct = default) => ReplayAsync(target, progress: null, ct);

    /// <param name="progress">Told the generated turns replayed so far of the instance's generated turns: once before the first, then after each.</param>
    public async Task<ReplayReport> ReplayAsync(RevivalTarget target, IProgress<ReplayProgress>? progress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var turns = new List<TurnReport>();
        var generated = target.Path.Count(p => p.Node.Generation is not null);
        progress?.Report(new ReplayProgress(0, generated));
        for (var i = 0; i < target.Path.Count; i++)
        {
            var (id, node) = target.Path[i];
            if (node.Generation is not { } generation)
            {
                continue;
            }

            var model = target.Models.GetValueOrDefault(generation.Model);
            var tier = TierGrader.Grade(node, model);
            var history = target.Path.Take(i).ToList();
            TurnReport? report = null;
            foreach (var replayer in replayers)
            {
                report = await replayer.ReplayAsync(id, node, model, tier, history, ct).ConfigureAwait(false);
                if (report is not null)
                {
                    break;
                }
            }

            turns.Add(report ?? new TurnReport
            {
                Node = id,
                Status = ReplayStatus.Skipped,
                Tier = tier.ToString(),
                Model = model?.DisplayName,
                Reason = tier == Tier.T4
                    ? "T4: only the transcript is kept, so there is nothing to re-derive from"
                    : tier == Tier.T3 ? "T3: give a hosted backend (-m openai:MODEL or anthropic:MODEL) to replicate it" : "T2: give --models DIR holding the weights",
            });
            progress?.Report(new ReplayProgress(turns.Count, generated));
        }

        return new ReplayReport(target.LeafId, turns);
    }
}

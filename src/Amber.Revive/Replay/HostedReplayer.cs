using Amber.Core.Model;
using Microsoft.Extensions.AI;

namespace Amber.Revive.Replay;

/// <summary>
/// Replicates T3 turns on a hosted backend: the history before the turn, with the recorded temperature
/// and seed where given, and reports how similar the new answer is. Hosted models are not deterministic
/// services, so this is never called "exact".
/// </summary>
public sealed class HostedReplayer(RevivalBackend backend) : ITurnReplayer
{
    public async Task<TurnReport?> ReplayAsync(string nodeId, Node node, ModelReference? model, Tier tier, IReadOnlyList<(string Id, Node Node)> history, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (tier is not Tier.T3)
        {
            return null;
        }

        var options = backend.Options.Clone();
        if (node.Generation?.Seed is { } seed)
        {
            options.Seed = seed;
        }

        if (node.Generation?.Parameters?["temperature"] is { } t && float.TryParse(t.ToString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var temperature))
        {
            options.Temperature = temperature;
        }

        var response = await backend.Client.GetResponseAsync(ChatHistory.FromPath(history), options, ct).ConfigureAwait(false);
        var recorded = ChatHistory.TextOf(node);
        return new TurnReport
        {
            Node = nodeId,
            Status = ReplayStatus.Replicated,
            Tier = tier.ToString(),
            Model = backend.ModelOf(response).DisplayName,
            Similarity = TextSimilarity.Words(recorded, response.Text),
            Reason = $"replicated on {backend.Model} (recorded on {model?.DisplayName ?? "an unknown model"}); similarity is word overlap, not exactness",
            ReplayedText = response.Text,
        };
    }
}

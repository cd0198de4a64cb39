using Amber.Core.Model;

namespace Amber.Revive.Replay;

/// <summary>Re-derives generated turns of one kind (local exact, hosted similarity).</summary>
public interface ITurnReplayer
{
    /// <summary>
    /// Replays <paramref name="node"/> (a generated turn whose model is <paramref name="model"/>, after
    /// <paramref name="history"/>), or returns null when this replayer does not apply to it.
    /// </summary>
    Task<TurnReport?> ReplayAsync(string nodeId, Node node, ModelReference? model, Tier tier, IReadOnlyList<(string Id, Node Node)> history, CancellationToken ct);
}

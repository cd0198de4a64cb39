using System.Text.Json.Nodes;

namespace Amber.Revive.Replay;

/// <summary>`amber replay --json`: per-turn results with totals.</summary>
public sealed record ReplayReport(string Instance, IReadOnlyList<TurnReport> Turns)
{
    public int Exact => Turns.Count(t => t.Status == ReplayStatus.Exact);

    public int Diverged => Turns.Count(t => t.Status == ReplayStatus.Diverged);

    public int Skipped => Turns.Count(t => t.Status == ReplayStatus.Skipped);

    public int Replicated => Turns.Count(t => t.Status == ReplayStatus.Replicated);

    public JsonObject ToJson() => new()
    {
        ["instance"] = Instance,
        ["turns"] = new JsonArray(Turns.Select(t => (JsonNode)t.ToJson()).ToArray()),
        ["exact"] = Exact,
        ["diverged"] = Diverged,
        ["skipped"] = Skipped,
        ["replicated"] = Replicated,
    };
}

using System.Text.Json.Nodes;

namespace Amber.Revive.Replay;

/// <summary>One generated turn of a replay (see docs/API.md, `amber replay --json`).</summary>
public sealed record TurnReport
{
    public required string Node { get; init; }

    public required string Status { get; init; }

    public required string Tier { get; init; }

    public string? Model { get; init; }

    /// <summary>Output tokens compared (exact and diverged).</summary>
    public int? Tokens { get; init; }

    /// <summary>The first output token index whose re-derived token differs.</summary>
    public int? DivergedAt { get; init; }

    public int? RecordedToken { get; init; }

    public int? ReplayedToken { get; init; }

    /// <summary>Why a turn was skipped, or what a replication compared.</summary>
    public string? Reason { get; init; }

    /// <summary>Word-level similarity of a replicated answer to the recorded one, 0..1.</summary>
    public double? Similarity { get; init; }

    public string? ReplayedText { get; init; }

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["node"] = Node, ["status"] = Status, ["tier"] = Tier };
        if (Model is not null)
        {
            o["model"] = Model;
        }

        if (Tokens is { } t)
        {
            o["tokens"] = t;
        }

        if (DivergedAt is { } d)
        {
            o["diverged_at"] = d;
            o["recorded_token"] = RecordedToken;
            o["replayed_token"] = ReplayedToken;
        }

        if (Reason is not null)
        {
            o["reason"] = Reason;
        }

        if (Similarity is { } s)
        {
            o["similarity"] = Math.Round(s, 4);
        }

        return o;
    }
}

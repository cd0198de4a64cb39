namespace Amber.Revive.Replay;

/// <summary>What a replayed turn came to. Only <see cref="Exact"/> means re-derived token for token.</summary>
public static class ReplayStatus
{
    public const string Exact = "exact";
    public const string Diverged = "diverged";
    public const string Skipped = "skipped";

    /// <summary>A T3 turn replayed on the named hosted model: similar at best, never "exact".</summary>
    public const string Replicated = "replicated";
}

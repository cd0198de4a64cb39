namespace Amber.Fuzz.Engine;

/// <summary>Bounds of one campaign: it stops at whichever of the input count and the time limit comes first.</summary>
public sealed record CampaignOptions
{
    public long Inputs { get; init; } = 10_000;

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    public int Seed { get; init; } = 1;

    /// <summary>An input that runs longer than this is a hang.</summary>
    public TimeSpan HangLimit { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The process's resident memory must stay under this.</summary>
    public long MemoryLimitBytes { get; init; } = 2L << 30;

    /// <summary>Where crashing and hanging inputs are written (null: not written).</summary>
    public string? FindingsDirectory { get; init; }
}

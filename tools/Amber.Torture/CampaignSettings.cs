namespace Amber.Torture;

/// <summary>The bounds every campaign shares: it stops after <see cref="Trials"/> trials or <see cref="Minutes"/>, whichever comes first.</summary>
/// <param name="Work">A scratch folder for the archives (deleted after a campaign without losses; kept for inspection otherwise).</param>
/// <param name="Seed">Seeds the random moments and positions, so a run repeats.</param>
public sealed record CampaignSettings(int Trials, double Minutes, int Seed, string Work)
{
    public TextWriter Log { get; init; } = TextWriter.Null;

    public bool TimeLeft(System.Diagnostics.Stopwatch clock) => clock.Elapsed.TotalMinutes < Minutes;
}

namespace Amber.Revive.Replay;

/// <summary>How far a replay has come: generated turns replayed (or skipped) of the instance's generated turns.</summary>
public readonly record struct ReplayProgress(int Turns, int TurnsTotal);

namespace Amber.Storage;

/// <summary>What opening the archive found and repaired.</summary>
public sealed record RecoveryReport
{
    /// <summary>Human-readable lines, one per action (torn tail cut, index caught up, …).</summary>
    public IReadOnlyList<string> Actions { get; init; } = [];

    /// <summary>Bytes cut from a torn tail, if any.</summary>
    public long TornBytesCut { get; init; }

    public bool IndexRebuilt { get; init; }

    public int FramesIndexed { get; init; }
}

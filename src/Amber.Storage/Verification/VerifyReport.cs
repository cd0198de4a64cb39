namespace Amber.Storage.Verification;

/// <summary>The outcome of re-reading every byte of an archive. It verifies only if <see cref="Faults"/> is empty.</summary>
public sealed record VerifyReport
{
    public List<string> Faults { get; } = [];

    /// <summary>Things worth knowing that are not faults (orphan blob files from an unacknowledged commit, …).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>What recovery did when the archive was opened for verification.</summary>
    public IReadOnlyList<string> Recovery { get; init; } = [];

    public int Segments { get; set; }

    public long Frames { get; set; }

    public long Commits { get; set; }

    public long Nodes { get; set; }

    public long Blobs { get; set; }

    public long Bytes { get; set; }

    /// <summary>Bytes of every file in the archive (and its index) re-read and SHA-256-hashed by the fixity pass.</summary>
    public long FixityBytes { get; set; }

    /// <summary>Units (segment files, <c>index.db</c>) deep-checked in this run.</summary>
    public List<string> DeepChecked { get; } = [];

    /// <summary>Units whose bytes hashed to what <c>verify.memo</c> recorded: fixity checked, deep check skipped.</summary>
    public List<MemoisedUnit> FixityOnly { get; } = [];

    /// <summary>What this run made of <c>verify.memo</c>: used, none (there was none), ignored (<c>--full</c>), rejected (not authentic, or for another check version or set of keys) or unavailable (no key to check it with).</summary>
    public string MemoState { get; set; } = "none";

    public bool Ok => Faults.Count == 0;

    /// <summary>How many segments skipped through the memo had their ids taken on, because a segment after them was deep-checked.</summary>
    internal int MemoSegmentsTakenOn { get; set; }

    /// <summary>Wall time of each phase, in the order they ended (<c>amber verify --phases</c>, the bench's <c>verify --phases</c>); not part of the outcome.</summary>
    public List<(string Phase, TimeSpan Wall)> Phases { get; } = [];
}

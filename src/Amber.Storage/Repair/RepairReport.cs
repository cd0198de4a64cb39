namespace Amber.Storage.Repair;

/// <summary>What <see cref="ArchiveRepair"/> found and did: files restored, and damage it could not mend (each naming the file and why).</summary>
public sealed class RepairReport
{
    /// <summary>Files found damaged (a segment with the offset of its first bad byte, a blob whose bytes do not match its name).</summary>
    public List<string> Damaged { get; } = [];

    /// <summary>Files replaced by a copy from the other archive or bag whose hashes checked out.</summary>
    public List<string> Restored { get; } = [];

    /// <summary>Damage that stays: no copy in the source, or the source's copy is damaged too or is not the same file.</summary>
    public List<string> Unrepaired { get; } = [];

    /// <summary>Where the damaged originals were moved (kept, never deleted), or null if nothing was replaced.</summary>
    public string? DamagedCopies { get; set; }
}

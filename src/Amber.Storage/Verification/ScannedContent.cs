namespace Amber.Storage.Verification;

/// <summary>
/// What verify's segment scan has met so far, in file order: the ids each later commit is checked against, and the
/// sequence number of the last commit. One per verify, written by the scan's thread only.
/// </summary>
internal sealed class ScannedContent
{
    /// <summary>Each node id, where it was first stored.</summary>
    public Dictionary<string, (uint Segment, long Offset, int EntryOffset)> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Each blob id; true when it is kept in a file of its own.</summary>
    public Dictionary<string, bool> Blobs { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Models { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Conversations { get; } = new(StringComparer.Ordinal);

    /// <summary>The file names (hex) of the external blobs a commit names: any other file in blobs/ is an orphan.</summary>
    public HashSet<string> ReferencedExternal { get; } = new(StringComparer.Ordinal);

    /// <summary>Encrypted conversations whose content this process cannot open.</summary>
    public HashSet<string> Locked { get; } = new(StringComparer.Ordinal);

    public long LastSeq { get; set; }
}

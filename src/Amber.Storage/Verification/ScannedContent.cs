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

    /// <summary>What the segment being deep-checked adds, for verify.memo; null when not recording.</summary>
    public SegmentDelta? Recording { get; set; }

    public bool AddNode(string id, (uint Segment, long Offset, int EntryOffset) at)
    {
        if (!Nodes.TryAdd(id, at))
        {
            return false;
        }

        Recording?.Nodes.Add((id, at.Segment, at.Offset, at.EntryOffset));
        return true;
    }

    public void AddBlob(string id, bool external, long size)
    {
        Blobs[id] = external;
        if (external)
        {
            ReferencedExternal.Add(Archive.HexOf(id));
        }

        Recording?.Blobs.Add((id, external, size));
    }

    public void AddModel(string id)
    {
        if (Models.Add(id))
        {
            Recording?.Models.Add(id);
        }
    }

    public void AddConversation(string id)
    {
        if (Conversations.Add(id))
        {
            Recording?.Conversations.Add(id);
        }
    }

    public void AddLocked(string conversation)
    {
        Locked.Add(conversation);
        if (Recording is not null)
        {
            Recording.Locked++;
        }
    }

    /// <summary>Takes on what a segment skipped through the memo added when it was deep-checked.</summary>
    public void Apply(SegmentDelta d)
    {
        foreach (var (id, seg, off, entry) in d.Nodes)
        {
            Nodes.TryAdd(id, (seg, off, entry));
        }

        foreach (var (id, external, _) in d.Blobs)
        {
            Blobs[id] = external;
            if (external)
            {
                ReferencedExternal.Add(Archive.HexOf(id));
            }
        }

        Models.UnionWith(d.Models);
        Conversations.UnionWith(d.Conversations);
        LastSeq = d.LastSeq;
    }
}

namespace Amber.Storage.Verification;

/// <summary>
/// What verify's segment scan has met so far, in file order: the ids each later commit is checked against, and the
/// sequence number of the last commit. One per verify, written by the scan's thread only. What a segment skipped through
/// the memo added is taken on when something first asks for the ids (<see cref="Nodes"/>, <see cref="Blobs"/>, …): a
/// verify whose every segment is unchanged only counts them.
/// </summary>
internal sealed class ScannedContent
{
    private readonly Dictionary<string, (uint Segment, long Offset, int EntryOffset)> nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> blobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> models = new(StringComparer.Ordinal);
    private readonly HashSet<string> conversations = new(StringComparer.Ordinal);
    private readonly List<SegmentDelta> deferred = [];

    /// <summary>Each node id, where it was first stored.</summary>
    public Dictionary<string, (uint Segment, long Offset, int EntryOffset)> Nodes => TakenOn(nodes);

    /// <summary>Each blob id; true when it is kept in a file of its own.</summary>
    public Dictionary<string, bool> Blobs => TakenOn(blobs);

    public HashSet<string> Models => TakenOn(models);

    public HashSet<string> Conversations => TakenOn(conversations);

    /// <summary>How many node ids were met, without taking on a skipped segment's ids.</summary>
    public long NodeCount => nodes.Count + deferred.Sum(d => (long)d.NodeCount);

    /// <summary>How many distinct blob ids were met, without taking on a skipped segment's ids.</summary>
    public long BlobCount => blobs.Count + deferred.Sum(d => (long)d.NewBlobs);

    /// <summary>How many skipped segments' ids were taken on (decoded from the memo) in this verify.</summary>
    public int SegmentsTakenOn { get; private set; }

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
        var all = Blobs;
        if (Recording is not null && !all.ContainsKey(id))
        {
            Recording.NewBlobs++;
        }

        all[id] = external;
        if (external)
        {
            ReferencedExternal.Add(Archive.HexOf(id));
            Recording?.External.Add((id, size));
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

    /// <summary>Takes on what a segment skipped through the memo added when it was deep-checked: its external blobs and last sequence now, its ids when first asked for.</summary>
    public void Apply(SegmentDelta d)
    {
        foreach (var (id, _) in d.External)
        {
            ReferencedExternal.Add(Archive.HexOf(id));
        }

        deferred.Add(d);
        LastSeq = d.LastSeq;
    }

    private T TakenOn<T>(T set)
    {
        if (deferred.Count == 0)
        {
            return set;
        }

        foreach (var d in deferred)
        {
            foreach (var (id, seg, off, entry) in d.Nodes)
            {
                nodes.TryAdd(id, (seg, off, entry));
            }

            foreach (var (id, external, _) in d.Blobs)
            {
                blobs[id] = external;
            }

            models.UnionWith(d.Models);
            conversations.UnionWith(d.Conversations);
            SegmentsTakenOn++;
        }

        deferred.Clear();
        return set;
    }
}

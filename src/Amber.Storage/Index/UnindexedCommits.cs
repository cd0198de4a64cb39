using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Storage.Index;

/// <summary>
/// What the commits that are acknowledged (durable) but not yet in the index hold, kept in memory from the
/// acknowledgement until the indexer has committed them. The writer validates new commits against it, and the
/// lookups a recorder makes before each commit (a node, a node by key, a conversation's record, the conversations
/// of a node) answer from it and the index together, so they never wait for the index.
/// <para>
/// Why that is exact: the index always holds a prefix of the commit sequence, and this holds the rest of what is
/// acknowledged. A group is added before it is acknowledged and removed only after the index transaction holding
/// it has committed, so a lookup that checks here first and the index second finds every acknowledged commit once.
/// </para>
/// </summary>
internal sealed class UnindexedCommits
{
    private readonly object gate = new();
    private readonly List<Group> groups = []; // oldest first
    private int commits;
    private long bytes;
    private long frameBytes;
    private long acknowledged;
    private bool failed;

    /// <summary>An acknowledged group's content, as the indexer will record it.</summary>
    internal sealed class Group
    {
        /// <summary>The sequence number of the group's last commit (0 while a single commit's part is being built).</summary>
        public long LastSequence { get; init; }

        public int Commits { get; set; }

        /// <summary>Decoded payload bytes the indexer holds on to for this group (for back-pressure).</summary>
        public long Bytes { get; set; }

        /// <summary>Bytes of the group's frames in the segments (commits, a new dictionary, a checkpoint): what the index lags by.</summary>
        public long FrameBytes { get; set; }

        /// <summary>Nodes first stored by the group: id → canonical bytes.</summary>
        public Dictionary<string, byte[]> Nodes { get; } = new(StringComparer.Ordinal);

        /// <summary>Keys of those nodes (<c>meta.keys</c>), first-come within the group as in the index.</summary>
        public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

        /// <summary>Conversation records written by the group (the newest per id), as canonical JSON.</summary>
        public Dictionary<string, byte[]> Records { get; } = new(StringComparer.Ordinal);

        /// <summary>Node id → the conversations the group attaches it to.</summary>
        public Dictionary<string, List<string>> Memberships { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Blobs { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Models { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Annotations { get; } = new(StringComparer.Ordinal);

        public void AddNode(string id, Node node, byte[] canonical)
        {
            Nodes.TryAdd(id, canonical);
            if (node.Meta?["keys"] is JsonArray keys)
            {
                foreach (var key in keys)
                {
                    if (key is JsonValue v && v.TryGetValue<string>(out var k))
                    {
                        Keys.TryAdd(k, id);
                    }
                }
            }
        }

        /// <summary>Adds a later commit's part: the earlier one keeps its nodes and keys, the later one's records win.</summary>
        public void Merge(Group later)
        {
            Commits += later.Commits;
            Bytes += later.Bytes;
            foreach (var (id, b) in later.Nodes)
            {
                Nodes.TryAdd(id, b);
            }

            foreach (var (k, id) in later.Keys)
            {
                Keys.TryAdd(k, id);
            }

            foreach (var (id, r) in later.Records)
            {
                Records[id] = r;
            }

            foreach (var (node, conversations) in later.Memberships)
            {
                if (!Memberships.TryGetValue(node, out var list))
                {
                    Memberships[node] = list = [];
                }

                list.AddRange(conversations.Where(c => !list.Contains(c, StringComparer.Ordinal)));
            }

            Blobs.UnionWith(later.Blobs);
            Models.UnionWith(later.Models);
            Annotations.UnionWith(later.Annotations);
        }

        public void AddConversation(string id, byte[] canonicalRecord, IEnumerable<string> nodeIds)
        {
            Records[id] = canonicalRecord;
            foreach (var n in nodeIds)
            {
                if (!Memberships.TryGetValue(n, out var list))
                {
                    Memberships[n] = list = [];
                }

                if (!list.Contains(id, StringComparer.Ordinal))
                {
                    list.Add(id);
                }
            }
        }
    }

    /// <summary>Called by the writer once, when it opens: the index holds every commit up to <paramref name="sequence"/>.</summary>
    public void Start(long sequence)
    {
        lock (gate)
        {
            acknowledged = sequence;
        }
    }

    /// <summary>Called by the writer before it acknowledges the group.</summary>
    public void Add(Group group)
    {
        lock (gate)
        {
            groups.Add(group);
            commits += group.Commits;
            bytes += group.Bytes;
            frameBytes += group.FrameBytes;
            acknowledged = Math.Max(acknowledged, group.LastSequence);
        }
    }

    /// <summary>
    /// The last acknowledged commit, and the commits and segment bytes acknowledged but not in the index, taken together
    /// under the lock so they agree. After an index failure the groups stay here, so this keeps counting them.
    /// </summary>
    public (long Acknowledged, int Commits, long FrameBytes) Lag()
    {
        lock (gate)
        {
            return (acknowledged, commits, frameBytes);
        }
    }

    /// <summary>Called by the indexer once the index transaction holding every commit up to <paramref name="lastSequence"/> has committed.</summary>
    public void RemoveThrough(long lastSequence)
    {
        lock (gate)
        {
            while (groups.Count > 0 && groups[0].LastSequence <= lastSequence)
            {
                commits -= groups[0].Commits;
                bytes -= groups[0].Bytes;
                frameBytes -= groups[0].FrameBytes;
                groups.RemoveAt(0);
            }

            Monitor.PulseAll(gate);
        }
    }

    /// <summary>
    /// Blocks the writer while the indexer is more than this far behind, so memory stays bounded. Returns at once
    /// once the indexer has failed (<see cref="IndexerFailed"/>): the writer then refuses the group.
    /// </summary>
    public void WaitUntilBelow(int maxCommits, long maxBytes)
    {
        lock (gate)
        {
            while (!failed && groups.Count > 0 && (commits >= maxCommits || bytes >= maxBytes))
            {
                Monitor.Wait(gate);
            }
        }
    }

    /// <summary>
    /// The indexer has stopped: what is here stays (lookups still need it, and the writer accepts nothing more),
    /// and a writer waiting for room is released.
    /// </summary>
    public void IndexerFailed()
    {
        lock (gate)
        {
            failed = true;
            Monitor.PulseAll(gate);
        }
    }

    public bool HasNode(string id) => Any(g => g.Nodes.ContainsKey(id));

    public bool HasBlob(string id) => Any(g => g.Blobs.Contains(id));

    public bool HasModel(string id) => Any(g => g.Models.Contains(id));

    public bool HasConversation(string id) => Any(g => g.Records.ContainsKey(id));

    public bool HasAnnotation(string id) => Any(g => g.Annotations.Contains(id));

    /// <summary>A node's canonical bytes, if an unindexed commit stored it.</summary>
    public byte[]? Node(string id)
    {
        lock (gate)
        {
            foreach (var g in groups)
            {
                if (g.Nodes.TryGetValue(id, out var b))
                {
                    return b;
                }
            }
        }

        return null;
    }

    /// <summary>The node first recorded under <paramref name="key"/> among the unindexed commits (the index, if it has the key, came first).</summary>
    public string? Key(string key)
    {
        lock (gate)
        {
            foreach (var g in groups)
            {
                if (g.Keys.TryGetValue(key, out var id))
                {
                    return id;
                }
            }
        }

        return null;
    }

    /// <summary>The newest record of a conversation among the unindexed commits, as canonical JSON.</summary>
    public byte[]? Record(string id)
    {
        lock (gate)
        {
            for (var i = groups.Count - 1; i >= 0; i--)
            {
                if (groups[i].Records.TryGetValue(id, out var r))
                {
                    return r;
                }
            }
        }

        return null;
    }

    /// <summary>The conversations that unindexed commits attach a node to.</summary>
    public IEnumerable<string> ConversationsOf(string nodeId)
    {
        var found = new List<string>();
        lock (gate)
        {
            foreach (var g in groups)
            {
                if (g.Memberships.TryGetValue(nodeId, out var list))
                {
                    found.AddRange(list);
                }
            }
        }

        return found;
    }

    private bool Any(Func<Group, bool> test)
    {
        lock (gate)
        {
            foreach (var g in groups)
            {
                if (test(g))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

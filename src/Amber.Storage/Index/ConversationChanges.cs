namespace Amber.Storage.Index;

/// <summary>
/// What an index transaction added to the tables a conversation's summary is derived from: the conversations it
/// touched, the node rows it inserted, and per conversation the member and raw-blob links it inserted (not those
/// already there). <see cref="ArchiveIndex.RefreshConversations(Microsoft.Data.Sqlite.SqliteTransaction, ConversationChanges)"/>
/// updates each touched conversation's summary from these alone, so its cost follows the transaction, not the
/// conversation's size.
/// </summary>
internal sealed class ConversationChanges
{
    /// <summary>The conversations the transaction's commits named (<see cref="IndexRowDeriver.Apply"/>'s <c>refreshLater</c>).</summary>
    public HashSet<long> Touched { get; } = [];

    /// <summary>Keys of the node rows the transaction inserted.</summary>
    public HashSet<long> NewNodes { get; } = [];

    /// <summary>Per conversation, the nodes the transaction made members of it.</summary>
    public Dictionary<long, List<long>> NewMembers { get; } = [];

    /// <summary>Per conversation, the raw blobs the transaction linked to it.</summary>
    public Dictionary<long, List<long>> NewRaw { get; } = [];

    /// <summary>Notes a row the transaction inserted (one whose insert took effect).</summary>
    public void Inserted(IndexTable table, object?[] values, long key)
    {
        if (ReferenceEquals(table, IndexTables.Nodes))
        {
            NewNodes.Add(key);
        }
        else if (ReferenceEquals(table, IndexTables.ConversationNodes))
        {
            Add(NewMembers, (long)values[0]!, (long)values[1]!);
        }
        else if (ReferenceEquals(table, IndexTables.ConversationRaw))
        {
            Add(NewRaw, (long)values[0]!, (long)values[1]!);
        }
    }

    private static void Add(Dictionary<long, List<long>> map, long conversation, long key)
    {
        if (!map.TryGetValue(conversation, out var list))
        {
            list = [];
            map[conversation] = list;
        }

        list.Add(key);
    }
}

namespace Amber.Storage.Index;

/// <summary>
/// Where derived index rows go, and the few reads the derivation makes of rows already derived: the live SQLite index
/// (<see cref="ArchiveIndex"/>, for commits, catch-up and rebuilds) or verify's rows in memory. The rule for which rows
/// a commit produces is <see cref="IndexRowDeriver"/>, written once; a store only keeps rows.
/// Values are given in the table's <see cref="IndexTable.Written"/> order, as SQLite stores them (long, string, byte[] or null).
/// </summary>
internal interface IIndexRowStore
{
    /// <summary>Adds a row; returns its key <c>k</c> (keyed tables; assigned in insertion order), else 0.</summary>
    long Insert(IndexTable table, object?[] values);

    /// <summary>Adds a row unless one with the same <see cref="IndexTable.Unique"/> values exists.</summary>
    void InsertOrIgnore(IndexTable table, object?[] values);

    /// <summary>Sets columns of the row with key <paramref name="key"/> of a keyed table.</summary>
    void Update(IndexTable table, long key, params (string Column, object? Value)[] values);

    /// <summary>The key of the row of a keyed table whose <c>id</c> is <paramref name="id"/>, or null.</summary>
    long? KeyOf(IndexTable table, byte[] id);

    /// <summary>The value of <paramref name="column"/> in the row with key <paramref name="key"/> of a keyed table.</summary>
    object? Read(IndexTable table, long key, string column);

    /// <summary>The time of the commit with sequence number <paramref name="seq"/>, or null.</summary>
    string? CommitTime(long seq);

    /// <summary>The nodes of a conversation (by its key), in no particular order.</summary>
    List<ConversationMember> Members(long conversation);

    /// <summary>The sizes of the raw blobs linked to a conversation (by its key).</summary>
    List<long> RawSizes(long conversation);

    /// <summary>Replaces every <c>instances</c> row of a conversation.</summary>
    void ReplaceInstances(long conversation, List<object?[]> rows);

    /// <summary>Adds a node's search text to the full-text table under the node's key.</summary>
    void AddText(long node, string text);
}

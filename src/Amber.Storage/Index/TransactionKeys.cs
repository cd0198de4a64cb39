using Amber.Storage.Verification;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// The keys of the keyed rows (<c>k</c> by <c>id</c> digest) that one index transaction has inserted or looked up, so
/// the row derivation's many lookups of rows it has just written (a node's parent, a conversation's members and raw
/// blobs, the conversation itself) are answered from memory instead of by a SQLite query each. Only rows the
/// transaction has seen are held, never an absence: a miss still asks SQLite. Valid for one transaction only (a
/// rolled-back insert's key must not outlive it), and bounded so a rebuild's one long transaction does not grow it
/// without limit.
/// </summary>
internal sealed class TransactionKeys
{
    /// <summary>Keys held per table before the table's map is emptied and starts over.</summary>
    internal const int MaxPerTable = 1 << 17;

    private readonly Dictionary<string, Dictionary<byte[], long>> tables = new(StringComparer.Ordinal);
    private SqliteTransaction? transaction;

    /// <summary>Forgets every key if <paramref name="tx"/> is not the transaction the keys were seen in.</summary>
    public void Use(SqliteTransaction tx)
    {
        if (!ReferenceEquals(tx, transaction))
        {
            tables.Clear();
            transaction = tx;
        }
    }

    public bool TryGet(IndexTable table, byte[] id, out long key)
    {
        key = 0;
        return tables.TryGetValue(table.Name, out var keys) && keys.TryGetValue(id, out key);
    }

    public void Add(IndexTable table, byte[] id, long key)
    {
        if (id.Length == 0)
        {
            return; // not a content id (IndexIds.ToKey): no row is found by it
        }

        if (!tables.TryGetValue(table.Name, out var keys))
        {
            keys = new Dictionary<byte[], long>(ByteArrayComparer.Instance);
            tables[table.Name] = keys;
        }
        else if (keys.Count >= MaxPerTable)
        {
            keys.Clear();
        }

        keys[id] = key;
    }
}

using Amber.Storage.Index;

namespace Amber.Storage.Verification;

/// <summary>
/// The index's relational rows as <see cref="IndexRowDeriver"/> derives them from the segments, kept in memory for verify
/// to compare with the live tables (<see cref="IndexAudit"/>): the same rule that writes the index, with no scratch
/// database. Keys are assigned as SQLite assigns an INTEGER PRIMARY KEY to a table nothing is deleted from: one more
/// than the largest, so in insertion order from 1.
/// </summary>
internal sealed class ExpectedRows : IIndexRowStore
{
    private readonly Dictionary<IndexTable, List<object?[]>> rows = [];
    private readonly Dictionary<IndexTable, HashSet<object?[]>> unique = [];
    private readonly Dictionary<IndexTable, Dictionary<byte[], long>> ids = [];
    private readonly Dictionary<long, List<object?[]>> instances = [];
    private readonly Dictionary<long, List<long>> members = [];
    private readonly Dictionary<long, List<long>> raw = [];
    private readonly Dictionary<string, string> meta = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> commitTimes = [];
    private readonly int nodeParent = IndexTables.Nodes.Ordinal("parent");
    private readonly int nodeTier = IndexTables.Nodes.Ordinal("tier");
    private readonly int nodeModel = IndexTables.Nodes.Ordinal("model");
    private readonly int modelName = IndexTables.Models.Ordinal("name");
    private readonly int blobSize = IndexTables.Blobs.Ordinal("size");

    private readonly Action<long, string>? textSink;

    /// <param name="textSink">Where each node's search text goes as it is derived; without one, <see cref="Texts"/> keeps them.</param>
    public ExpectedRows(Action<long, string>? textSink = null) => this.textSink = textSink;

    /// <summary>The search text of each node, by node key, in key order (the full-text table's rows), unless given to a sink.</summary>
    public List<(long Node, string Text)> Texts { get; } = [];

    /// <summary>Sets a row of <c>meta</c> (the archive id, schema and position a rebuild writes).</summary>
    public void SetMeta(string key, string value) => meta[key] = value;

    /// <summary>The rows of a table, each with every column of <see cref="IndexTable.Columns"/>.</summary>
    public IEnumerable<object?[]> Rows(IndexTable table)
    {
        if (table == IndexTables.Meta)
        {
            return meta.Select(m => new object?[] { m.Key, m.Value });
        }

        if (table == IndexTables.Instances)
        {
            return instances.Values.SelectMany(r => r);
        }

        return rows.GetValueOrDefault(table) ?? [];
    }

    public long Insert(IndexTable table, object?[] values)
    {
        var list = List(table);
        var row = table.Keyed ? [(long)list.Count + 1, .. values] : values;
        if (table.Unique.Length > 0 && !Unique(table).Add(row))
        {
            throw new InvalidOperationException($"{table.Name}: a second row with the same unique columns.");
        }

        return Add(table, list, row);
    }

    public void InsertOrIgnore(IndexTable table, object?[] values)
    {
        var list = List(table);
        var row = table.Keyed ? [(long)list.Count + 1, .. values] : values;
        if (Unique(table).Add(row))
        {
            Add(table, list, row);
        }
    }

    public void Update(IndexTable table, long key, params (string Column, object? Value)[] values)
    {
        var row = List(table)[(int)key - 1];
        foreach (var (column, value) in values)
        {
            row[table.Ordinal(column)] = value;
        }
    }

    public long? KeyOf(IndexTable table, byte[] id) => ids.GetValueOrDefault(table)?.GetValueOrDefault(id) is long k and > 0 ? k : null;

    public object? Read(IndexTable table, long key, string column) => List(table)[(int)key - 1][table.Ordinal(column)];

    public string? CommitTime(long seq) => commitTimes.GetValueOrDefault(seq);

    public List<ConversationMember> Members(long conversation)
    {
        var nodes = List(IndexTables.Nodes);
        var models = List(IndexTables.Models);
        var list = new List<ConversationMember>();
        foreach (var k in members.GetValueOrDefault(conversation) ?? [])
        {
            var n = nodes[(int)k - 1];
            var model = (long?)n[nodeModel];
            var name = model is { } m && m >= 1 && m <= models.Count ? (string?)models[(int)m - 1][modelName] : null;
            list.Add(new(k, (long?)n[nodeParent], (int)(long)n[nodeTier]!, model is not null, name));
        }

        return list;
    }

    public List<long> RawSizes(long conversation)
    {
        var blobs = List(IndexTables.Blobs);
        return [.. (raw.GetValueOrDefault(conversation) ?? []).Select(b => (long)blobs[(int)b - 1][blobSize]!)];
    }

    public void ReplaceInstances(long conversation, List<object?[]> rows) => instances[conversation] = rows;

    public void AddText(long node, string text)
    {
        if (textSink is not null)
        {
            textSink(node, text);
        }
        else
        {
            Texts.Add((node, text));
        }
    }

    private long Add(IndexTable table, List<object?[]> list, object?[] row)
    {
        list.Add(row);
        if (table == IndexTables.ConversationNodes)
        {
            Linked(members, (long)row[0]!).Add((long)row[1]!);
        }
        else if (table == IndexTables.ConversationRaw)
        {
            Linked(raw, (long)row[0]!).Add((long)row[1]!);
        }
        else if (table == IndexTables.Commits)
        {
            commitTimes[(long)row[0]!] = (string)row[IndexTables.Commits.Ordinal("time")]!;
        }

        if (!table.Keyed)
        {
            return 0;
        }

        if (!ids.TryGetValue(table, out var byId))
        {
            ids[table] = byId = new(ByteArrayComparer.Instance);
        }

        byId.TryAdd((byte[])row[1]!, list.Count); // the first row with an id is the one a lookup finds
        return list.Count;
    }

    private static List<long> Linked(Dictionary<long, List<long>> map, long key)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        return list;
    }

    private List<object?[]> List(IndexTable table)
    {
        if (!rows.TryGetValue(table, out var list))
        {
            rows[table] = list = [];
        }

        return list;
    }

    /// <summary>The rows of a table by its unique columns (their values never change once inserted).</summary>
    private HashSet<object?[]> Unique(IndexTable table)
    {
        if (!unique.TryGetValue(table, out var set))
        {
            unique[table] = set = new(RowComparer.On(table.Unique));
        }

        return set;
    }
}

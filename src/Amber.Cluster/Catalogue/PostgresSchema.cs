using System.Text;
using Amber.Storage.Index;
using NpgsqlTypes;
using static Amber.Cluster.Catalogue.PgColumnKind;

namespace Amber.Cluster.Catalogue;

/// <summary>
/// The PostgreSQL catalogue's tables: the SQLite index's relational tables (<see cref="IndexTables"/>), column for
/// column, with PostgreSQL types, plus <c>node_text</c>, each message's words as a <c>tsvector</c> under a GIN index
/// (no copy of the text itself: snippets come from the segments, as for <c>index.db</c>). Derived state: rebuilt from the
/// segments, never the only copy of anything.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The version of this layout, kept in <c>meta</c> under <c>catalogue_schema</c>.</summary>
    /// <remarks>2: <c>shards</c> (each shard's high-water mark) and <c>commits</c> keyed by their hash, for commits applied one by one.</remarks>
    public const int Version = 2;

    /// <summary>The text search configuration: no stemming and no stop words, like the SQLite index's <c>unicode61</c> words.</summary>
    public const string TextConfig = "simple";

    public static readonly IReadOnlyList<PgTable> Tables =
    [
        new(IndexTables.Meta, [Text, Text], ["key"], []),
        new(IndexTables.Commits, [Integer, Integer, Integer, Integer, Text, Bytes], ["leaf_hash"], ["(seq)"]),
        new(IndexTables.Checkpoints, [Integer, Integer, Integer, Text], ["segment", "offset"], []),
        new(IndexTables.Dictionaries, [Integer, Text, Integer, Integer, Integer], ["dict_id"], []),
        new(IndexTables.Conversations,
            [Integer, Bytes, Text, Text, SourceId, Text, Time, Time, Integer, Integer, Integer, Text, Integer, Integer, Integer, Integer, Integer, Integer],
            ["k"], ["UNIQUE (id)", "(created DESC, k DESC)"]),
        new(IndexTables.Nodes, [Integer, Bytes, Integer, Time, Integer, Integer, Integer, Integer, Integer, Integer, Text, Integer, Integer], ["k"], ["(id)", "(tenant)"]),
        new(IndexTables.ConversationNodes, [Integer, Integer, Integer], ["conversation", "node"], ["(node)"]),
        new(IndexTables.Instances, [Integer, Integer, Integer, Integer], ["conversation", "leaf"], []),
        new(IndexTables.Blobs, [Integer, Bytes, Integer, Integer, Integer, Integer, Integer, Integer, Integer], ["k"], ["UNIQUE (id)"]),
        new(IndexTables.ConversationRaw, [Integer, Integer, Integer], ["conversation", "blob"], []),
        new(IndexTables.Models, [Integer, Bytes, Text, Text], ["k"], ["UNIQUE (id)"]),
        new(IndexTables.NodeKeys, [Text, Integer], ["key"], []),
        new(IndexTables.Annotations, [Integer, Bytes, Bytes, Text, Time, Text, Integer], ["k"], ["UNIQUE (id)", "(target, created)"]),
    ];

    /// <summary>Quotes an identifier (several column names, <c>offset</c> among them, are reserved words in PostgreSQL).</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The statements that create the tables, without their secondary indexes, in <paramref name="schema"/>.</summary>
    public static string CreateTables(string schema)
    {
        var sql = new StringBuilder();
        foreach (var t in Tables)
        {
            var columns = t.Rows.Columns.Select((c, i) => $"{Quote(c)} {TypeOf(t.Kinds[i])}{(t.Keys.Contains(c) ? " NOT NULL" : "")}");
            sql.Append($"CREATE TABLE {Quote(schema)}.{Quote(t.Rows.Name)} ({string.Join(", ", columns)}, PRIMARY KEY ({string.Join(", ", t.Keys.Select(Quote))}));\n");
        }

        sql.Append($"CREATE TABLE {Quote(schema)}.node_text (node bigint PRIMARY KEY, words tsvector NOT NULL);\n");
        // Each shard's high-water mark: the position in its log up to which its commits are in the catalogue.
        sql.Append($"CREATE TABLE {Quote(schema)}.shards (shard text PRIMARY KEY, archive_id text NOT NULL, position text NOT NULL);\n");
        return sql.ToString();
    }

    /// <summary>The secondary indexes, built once the rows are in (faster than keeping them up to date row by row).</summary>
    public static string CreateIndexes(string schema)
    {
        var sql = new StringBuilder();
        foreach (var t in Tables)
        {
            foreach (var index in t.Indexes)
            {
                sql.Append(index.StartsWith("UNIQUE", StringComparison.Ordinal)
                    ? $"ALTER TABLE {Quote(schema)}.{Quote(t.Rows.Name)} ADD {index};\n"
                    : $"CREATE INDEX ON {Quote(schema)}.{Quote(t.Rows.Name)} {index};\n");
            }
        }

        sql.Append($"CREATE INDEX ON {Quote(schema)}.node_text USING gin (words);\n");
        return sql.ToString();
    }

    /// <summary>The value a derived row's column is kept as.</summary>
    public static object? Value(PgColumnKind kind, object? derived) => derived is null ? null : kind switch
    {
        Time => IndexValues.TimeText(derived),
        SourceId => IndexValues.SourceIdText(derived),
        _ => derived,
    };

    public static NpgsqlDbType DbType(PgColumnKind kind) => kind switch
    {
        Integer => NpgsqlDbType.Bigint,
        Bytes => NpgsqlDbType.Bytea,
        _ => NpgsqlDbType.Text,
    };

    private static string TypeOf(PgColumnKind kind) => kind switch
    {
        Integer => "bigint",
        Bytes => "bytea",
        _ => "text",
    };
}

using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Microsoft.Data.Sqlite;

namespace Amber.Import.Formats.LlmDb;

/// <summary>
/// Read access to an `llm` logs.db (Simon Willison's llm CLI; schema from its llm/migrations.py, m001–m022):
/// rows come back as JSON objects keyed by column name. Small link tables are loaded once, grouped by
/// response; attachments and fragments are fetched by primary key when a response names them.
/// A BLOB value becomes {"$blob": content id, "size": bytes} and its bytes are kept for the blob store.
/// </summary>
internal sealed class LlmLogTables : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly HashSet<string> tables;
    private readonly Dictionary<string, Dictionary<string, List<JsonObject>>> byResponse = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, JsonObject>> byId = new(StringComparer.Ordinal);

    private LlmLogTables(SqliteConnection connection, HashSet<string> tables)
    {
        this.connection = connection;
        this.tables = tables;
    }

    /// <summary>Link tables keyed by response_id, in the order their rows are applied.</summary>
    public static readonly (string Table, string OrderBy)[] ResponseTables =
    [
        ("tool_calls", "rowid"),
        ("tool_results", "rowid"),
        ("tool_responses", "tool_id"),
        ("prompt_attachments", "\"order\", attachment_id"),
        ("prompt_fragments", "\"order\", fragment_id"),
        ("system_fragments", "\"order\", fragment_id"),
    ];

    public static LlmLogTables Open(string path)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        var c = new SqliteConnection(cs);
        try
        {
            c.Open();
            var tables = new HashSet<string>(StringComparer.Ordinal);
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    tables.Add(r.GetString(0));
                }
            }

            return new LlmLogTables(c, tables);
        }
        catch
        {
            c.Dispose();
            throw;
        }
    }

    /// <summary>Bytes of BLOB values read so far, by content id (attachment contents).</summary>
    public Dictionary<string, ReadOnlyMemory<byte>> Blobs { get; } = new(StringComparer.Ordinal);

    public bool Has(string table) => tables.Contains(table);

    /// <summary>Every conversations row, by id.</summary>
    public Dictionary<string, JsonObject> Conversations()
    {
        var rows = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (Has("conversations"))
        {
            foreach (var row in Query("SELECT * FROM conversations ORDER BY rowid"))
            {
                if (Str(row, "id") is { } id)
                {
                    rows[id] = row;
                }
            }
        }

        return rows;
    }

    /// <summary>Responses grouped by conversation, each group in time order (then insertion order).</summary>
    public IEnumerable<List<JsonObject>> ResponsesByConversation()
    {
        List<JsonObject>? group = null;
        string? key = null;
        foreach (var row in Query("SELECT * FROM responses ORDER BY conversation_id, rowid"))
        {
            var conversation = Str(row, "conversation_id");
            if (group is not null && (conversation is null || conversation != key))
            {
                yield return InTimeOrder(group);
                group = null;
            }

            group ??= [];
            group.Add(row);
            key = conversation;
        }

        if (group is not null)
        {
            yield return InTimeOrder(group);
        }
    }

    /// <summary>
    /// Orders a conversation's responses by their parsed datetime_utc: llm versions wrote it as
    /// "2023-07-01T08:00:00", "…+00:00" and with a space for the "T", which do not sort as text.
    /// </summary>
    private static List<JsonObject> InTimeOrder(List<JsonObject> group)
        => [.. group.Select((row, i) => (Row: row, Index: i, Time: ShareGpt.DatasetRecords.Rfc3339(Str(row, "datetime_utc"))))
            .OrderBy(x => x.Time is null ? 1 : 0)
            .ThenBy(x => x.Time is null ? DateTimeOffset.MinValue : Amber.Core.Time.Timestamps.Parse(x.Time)!.Value)
            .ThenBy(x => x.Index)
            .Select(x => x.Row)];

    /// <summary>The rows of a link table that name <paramref name="responseId"/>.</summary>
    public IReadOnlyList<JsonObject> ForResponse(string table, string responseId)
    {
        if (!byResponse.TryGetValue(table, out var map))
        {
            map = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
            var orderBy = ResponseTables.First(t => t.Table == table).OrderBy;
            if (Has(table))
            {
                foreach (var row in Query($"SELECT * FROM \"{table}\" ORDER BY {orderBy}"))
                {
                    if (Str(row, "response_id") is { } id)
                    {
                        if (!map.TryGetValue(id, out var list))
                        {
                            map[id] = list = [];
                        }

                        list.Add(row);
                    }
                }
            }

            byResponse[table] = map;
        }

        return map.TryGetValue(responseId, out var rows) ? rows : [];
    }

    /// <summary>One row of <paramref name="table"/> by its "id" column (cached for small tables).</summary>
    public JsonObject? ById(string table, JsonNode? id)
    {
        if (id is null || !Has(table))
        {
            return null;
        }

        var key = id.ToJsonString();
        if (!byId.TryGetValue(table, out var cache))
        {
            byId[table] = cache = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        }

        if (!cache.TryGetValue(key, out var row))
        {
            row = Query($"SELECT * FROM \"{table}\" WHERE id = $id", ("$id", id.GetValueKind() == System.Text.Json.JsonValueKind.Number ? id.GetValue<long>() : id.ToString())).FirstOrDefault();
            if (row is null)
            {
                return null;
            }

            // Attachments and fragments can be large and are rarely shared; cache only the small tables.
            if (table is "tools" or "schemas" or "tool_instances")
            {
                cache[key] = row;
            }
        }

        return row;
    }

    /// <summary>Rows of a table whose <paramref name="column"/> equals <paramref name="value"/>.</summary>
    public IEnumerable<JsonObject> Where(string table, string column, JsonNode? value, string orderBy)
        => value is null || !Has(table)
            ? []
            : Query($"SELECT * FROM \"{table}\" WHERE \"{column}\" = $v ORDER BY {orderBy}", ("$v", value.GetValueKind() == System.Text.Json.JsonValueKind.Number ? value.GetValue<long>() : value.ToString()));

    public IEnumerable<JsonObject> Query(string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var row = new JsonObject();
            for (var i = 0; i < r.FieldCount; i++)
            {
                row[r.GetName(i)] = Value(r, i);
            }

            yield return row;
        }
    }

    public static string? Str(JsonObject row, string column) => row[column] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public static long? Long(JsonObject row, string column)
        => row[column] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null;

    public void Dispose() => connection.Dispose();

    private JsonNode? Value(SqliteDataReader r, int i)
    {
        if (r.IsDBNull(i))
        {
            return null;
        }

        switch (r.GetValue(i))
        {
            case long l:
                return JsonValue.Create(l);
            case double d when double.IsFinite(d):
                return JsonValue.Create(d);
            case double d:
                return JsonValue.Create(d.ToString("R", CultureInfo.InvariantCulture));
            case string s:
                return JsonValue.Create(s);
            case byte[] bytes:
                var id = ContentId.Of(bytes);
                Blobs.TryAdd(id, bytes);
                return new JsonObject { ["$blob"] = id, ["size"] = (long)bytes.Length };
            case var other:
                return JsonValue.Create(Convert.ToString(other, CultureInfo.InvariantCulture));
        }
    }
}

using Amber.Core.Time;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// Texts the index keeps in a compact form that gives back the exact text (the public form the source gave): a node's
/// <c>created</c> as a packed integer (<see cref="Timestamps.TryPack"/>), a conversation's <c>source_id</c> as the bytes of
/// a lowercase hex digest or UUID. A text of any other form is stored as it is; the columns have no type affinity, so
/// SQLite keeps each value's own type. Converted here and nowhere else.
/// </summary>
internal static class IndexValues
{
    /// <summary>The stored form of a node's <c>created</c>.</summary>
    public static object? Time(string? created) => created is not null && Timestamps.TryPack(created, out var packed) ? packed : created;

    /// <summary>The text of a stored <c>created</c> (column <paramref name="ordinal"/>), or null.</summary>
    public static string? Time(SqliteDataReader r, int ordinal) => TimeText(r.GetValue(ordinal));

    /// <summary>The text of a stored <c>created</c> value, or null.</summary>
    public static string? TimeText(object? stored) => stored switch
    {
        long packed => Timestamps.Unpack(packed),
        string text => text,
        _ => null,
    };

    /// <summary>
    /// SQL for the <c>yyyy-MM</c> month of a stored <c>created</c> column: of a packed time, the whole seconds since 1970
    /// rounded down (SQLite's <c>&gt;&gt;</c> extends the sign), through SQLite's own calendar; of a text, its first 7 characters.
    /// </summary>
    public static string MonthSql(string column)
        => $"CASE WHEN typeof({column}) = 'integer' THEN strftime('%Y-%m', (({column} >> 3) - ((({column} >> 3) % 10000000) + 10000000) % 10000000) / 10000000, 'unixepoch') ELSE substr({column}, 1, 7) END";

    /// <summary>The stored form of a source id: 32 bytes for a lowercase hex SHA-256, 16 for a lowercase UUID, else the text.</summary>
    public static object SourceId(string id)
    {
        if (id.Length == 64 && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return Convert.FromHexString(id);
        }

        return id.Length == 36 && Guid.TryParseExact(id, "D", out var g) && g.ToString("D") == id ? g.ToByteArray(bigEndian: true) : id;
    }

    /// <summary>The text of a stored source id (column <paramref name="ordinal"/>).</summary>
    public static string SourceId(SqliteDataReader r, int ordinal) => SourceIdText(r.GetValue(ordinal));

    /// <summary>The text of a stored source id value.</summary>
    public static string SourceIdText(object stored) => stored switch
    {
        byte[] { Length: 32 } digest => Convert.ToHexStringLower(digest),
        byte[] { Length: 16 } uuid => new Guid(uuid, bigEndian: true).ToString("D"),
        var v => (string)v,
    };
}

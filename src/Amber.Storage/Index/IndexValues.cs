using Amber.Core.Time;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// Texts the index keeps in a compact form that gives back the exact text (the public form the source gave): a node's
/// <c>created</c> and a conversation's <c>updated</c> as a packed integer (<see cref="Timestamps.TryPack"/>), a conversation's <c>source_id</c> as the bytes of
/// a lowercase hex digest (bare or as a <c>sha256:</c> content id) or UUID. A text of any other form is stored as it is; the columns have no type affinity, so
/// SQLite keeps each value's own type. Converted here and nowhere else.
/// </summary>
internal static class IndexValues
{
    /// <summary>The stored form of a node's <c>created</c>.</summary>
    public static object? Time(string? created) => created is not null && Timestamps.TryPack(created, out var packed) ? packed : created;

    /// <summary>The text of a stored <c>created</c> or <c>updated</c> (column <paramref name="ordinal"/>), or null.</summary>
    public static string? Time(SqliteDataReader r, int ordinal) => TimeText(r.GetValue(ordinal));

    /// <summary>The text of a stored time value as the row store gives it back, or null.</summary>
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

    /// <summary>The prefix of a content id (<c>sha256:</c> and 64 lowercase hex digits), the source id of most imported conversations.</summary>
    private const string ContentIdPrefix = "sha256:";

    /// <summary>The first byte of a stored <c>sha256:</c> source id, before its 32 digest bytes (33 bytes in all, where the text takes 71).</summary>
    private const byte ContentIdTag = 1;

    /// <summary>
    /// The stored form of a source id: 32 bytes for a lowercase hex SHA-256, <see cref="ContentIdTag"/> and 32 bytes for
    /// one written as a content id (<c>sha256:</c> and the hex), 16 for a lowercase UUID, else the text.
    /// </summary>
    public static object SourceId(string id)
    {
        if (IsLowerHexDigest(id))
        {
            return Convert.FromHexString(id);
        }

        if (id.StartsWith(ContentIdPrefix, StringComparison.Ordinal) && IsLowerHexDigest(id.AsSpan(ContentIdPrefix.Length)))
        {
            var stored = new byte[33];
            stored[0] = ContentIdTag;
            Convert.FromHexString(id.AsSpan(ContentIdPrefix.Length), stored.AsSpan(1), out _, out _);
            return stored;
        }

        return id.Length == 36 && Guid.TryParseExact(id, "D", out var g) && g.ToString("D") == id ? g.ToByteArray(bigEndian: true) : id;
    }

    /// <summary>The text of a stored source id (column <paramref name="ordinal"/>).</summary>
    public static string SourceId(SqliteDataReader r, int ordinal) => SourceIdText(r.GetValue(ordinal));

    /// <summary>The text of a stored source id value.</summary>
    public static string SourceIdText(object stored) => stored switch
    {
        byte[] { Length: 32 } digest => Convert.ToHexStringLower(digest),
        byte[] { Length: 33 } tagged when tagged[0] == ContentIdTag => ContentIdPrefix + Convert.ToHexStringLower(tagged.AsSpan(1)),
        byte[] { Length: 16 } uuid => new Guid(uuid, bigEndian: true).ToString("D"),
        var v => (string)v,
    };

    private static bool IsLowerHexDigest(ReadOnlySpan<char> text)
    {
        if (text.Length != 64)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}

using Amber.Core.Hashing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// The index keeps a content id once, as its 32-byte digest (a BLOB with a unique index beside an INTEGER key that
/// every other table refers to); the API speaks the <c>sha256:</c>-hex form. The two are converted here and nowhere else.
/// </summary>
internal static class IndexIds
{
    /// <summary>The digest of <paramref name="id"/>, or an empty BLOB (which no row holds) for a string that is not a content id.</summary>
    public static byte[] ToKey(string id) => ContentId.IsValid(id) ? ContentId.ToDigest(id) : [];

    /// <summary>The public id of a digest read from the index.</summary>
    public static string FromKey(byte[] digest) => ContentId.Format(digest);

    /// <summary>The public id in column <paramref name="ordinal"/> of the current row.</summary>
    public static string Read(SqliteDataReader r, int ordinal) => ContentId.Format((byte[])r[ordinal]);

    /// <summary>
    /// The SQL condition that a row of <paramref name="table"/> has the id (digest) bound to <paramref name="parameter"/>.
    /// Nodes are the most numerous rows, so their id index (<c>nodes_id</c>) holds only the digest's first 8 bytes, and
    /// the row's full digest confirms the match; the other tables keep a unique index on the whole id.
    /// </summary>
    public static string IdIs(string table, string parameter)
        => table == "nodes" ? $"substr(id, 1, 8) = substr({parameter}, 1, 8) AND id = {parameter}" : $"id = {parameter}";

    /// <summary>As <see cref="IdIs"/>, for the ids between two digests (<see cref="PrefixRange"/>).</summary>
    public static string IdBetween(string table, string lo, string hi)
        => table == "nodes" ? $"substr(id, 1, 8) BETWEEN substr({lo}, 1, 8) AND substr({hi}, 1, 8) AND id BETWEEN {lo} AND {hi}" : $"id BETWEEN {lo} AND {hi}";

    /// <summary>
    /// The smallest and largest digests whose hex form starts with <paramref name="hexPrefix"/> (lowercase hex digits, at
    /// most 64), so a prefix lookup is a range on the unique index: <c>id BETWEEN lo AND hi</c>. Null if it is not hex.
    /// </summary>
    public static (byte[] Lo, byte[] Hi)? PrefixRange(string hexPrefix)
    {
        if (hexPrefix.Length > 64 || !hexPrefix.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return null;
        }

        return (Convert.FromHexString(hexPrefix.PadRight(64, '0')), Convert.FromHexString(hexPrefix.PadRight(64, 'f')));
    }
}

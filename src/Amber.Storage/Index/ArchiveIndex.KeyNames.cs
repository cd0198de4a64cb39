using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// <c>key_names</c>: for an encrypted archive, the data keys made ahead that commit frames name (encryption.md §4.1),
/// derived from the frames like every other row, and whether keys.db files each under its conversation yet
/// (<c>filed</c>). Only this index holds it (not a cluster catalogue, nor verify's scratch index).
/// </summary>
internal sealed partial class ArchiveIndex
{
    internal const string KeyNamesTable = """
        CREATE TABLE IF NOT EXISTS key_names(spare TEXT PRIMARY KEY, conversation TEXT NOT NULL, filed INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS key_names_pending ON key_names(filed) WHERE filed = 0;
        """;

    /// <summary>Notes the key names of a frame's blocks (a name already noted keeps what it says).</summary>
    public void AddKeyNames(SqliteTransaction tx, IReadOnlyList<(string Conversation, string Spare)> names)
    {
        using var cmd = Writer.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT OR IGNORE INTO key_names(spare, conversation, filed) VALUES ($s, $c, 0)";
        var spare = cmd.Parameters.Add("$s", SqliteType.Text);
        var conversation = cmd.Parameters.Add("$c", SqliteType.Text);
        foreach (var (c, s) in names)
        {
            spare.Value = s;
            conversation.Value = c;
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>The names keys.db may not file under their conversations yet.</summary>
    public IReadOnlyList<(string Spare, string Conversation)> PendingKeyNames(SqliteTransaction tx)
    {
        using var cmd = Writer.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT spare, conversation FROM key_names WHERE filed = 0";
        using var r = cmd.ExecuteReader();
        var pending = new List<(string, string)>();
        while (r.Read())
        {
            pending.Add((r.GetString(0), r.GetString(1)));
        }

        return pending;
    }

    /// <summary>Notes that keys.db files these names under their conversations.</summary>
    public void MarkKeyNamesFiled(SqliteTransaction tx, IEnumerable<(string Spare, string Conversation)> filed)
    {
        using var cmd = Writer.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE key_names SET filed = 1 WHERE spare = $s";
        var spare = cmd.Parameters.Add("$s", SqliteType.Text);
        foreach (var (s, _) in filed)
        {
            spare.Value = s;
            cmd.ExecuteNonQuery();
        }
    }
}

using Microsoft.Data.Sqlite;

namespace Amber.Storage.Verification;

/// <summary>
/// Writes each node's search text into the scratch <c>node_text</c> as the index audit derives it, one prepared
/// statement for all, so the inserts overlap the segment scan instead of following it (<see cref="FullTextAudit"/>).
/// </summary>
internal sealed class ScratchTextWriter : IDisposable
{
    private readonly SqliteCommand insert;
    private readonly SqliteParameter node;
    private readonly SqliteParameter text;

    public ScratchTextWriter(SqliteConnection c)
    {
        insert = c.CreateCommand();
        insert.CommandText = "INSERT INTO main.node_text(id, text) VALUES($n, $t)";
        node = insert.Parameters.Add("$n", SqliteType.Integer);
        text = insert.Parameters.Add("$t", SqliteType.Text);
        insert.Prepare();
    }

    public void Add(long nodeKey, string searchText)
    {
        node.Value = nodeKey;
        text.Value = searchText;
        insert.ExecuteNonQuery();
    }

    public void Dispose() => insert.Dispose();
}

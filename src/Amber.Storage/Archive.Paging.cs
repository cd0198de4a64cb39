using Amber.Storage.Reading;

namespace Amber.Storage;

/// <summary>Keyset paging over the conversations that stays fast deep into a large archive.</summary>
public sealed partial class Archive
{
    /// <summary>
    /// As <see cref="ListConversations"/>, but the cursor is a row-value comparison, <c>(created, id) &lt; (…)</c>,
    /// which SQLite turns into a range on the (created DESC, id DESC) index: a page costs the same at the
    /// millionth conversation as at the first (no OFFSET, no COUNT).
    /// </summary>
    public IReadOnlyList<ConversationSummary> PageConversations(int limit = 50, ConversationFilter? filter = null, (string Created, string Id)? before = null)
    {
        using var c = OpenIndexForRead();
        using var cmd = c.CreateCommand();
        var where = new List<string>();
        if (before is { } b)
        {
            where.Add("(created, id) < ($bc, $bi)");
            cmd.Parameters.AddWithValue("$bc", b.Created);
            cmd.Parameters.AddWithValue("$bi", b.Id);
        }

        AddFilter(cmd, where, filter);
        cmd.CommandText = $"SELECT {SummaryColumns} FROM conversations INDEXED BY conversations_created {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY created DESC, id DESC LIMIT $n";
        cmd.Parameters.AddWithValue("$n", limit);
        return ReadSummaries(cmd);
    }
}

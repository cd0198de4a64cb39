using Amber.Storage.Reading;

namespace Amber.Storage;

/// <summary>Keyset paging over the conversations that stays fast deep into a large archive.</summary>
public sealed partial class Archive
{
    /// <summary>
    /// The one conversation list query (<see cref="ListConversations"/> is this): newest first by (created, key). The
    /// cursor is a row-value comparison, <c>(created, k) &lt; (…)</c>, which SQLite turns into a range on the
    /// (created DESC, k DESC) index: a page costs the same at the millionth conversation as at the first (no OFFSET,
    /// no COUNT). The cursor's id is the last conversation seen; conversations created at the same instant follow
    /// archive order, newest first.
    /// </summary>
    public IReadOnlyList<ConversationSummary> PageConversations(int limit = 50, ConversationFilter? filter = null, (string Created, string Id)? before = null)
    {
        using var c = OpenIndexForRead();
        using var cmd = c.CreateCommand();
        var where = new List<string>();
        if (before is { } b)
        {
            where.Add("(created, k) < ($bc, COALESCE((SELECT k FROM conversations WHERE id = $bi), 0))");
            cmd.Parameters.AddWithValue("$bc", b.Created);
            cmd.Parameters.AddWithValue("$bi", Amber.Storage.Index.IndexIds.ToKey(b.Id));
        }

        AddFilter(cmd, where, filter);
        cmd.CommandText = $"SELECT {SummaryColumns} FROM conversations INDEXED BY conversations_created {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY created DESC, k DESC LIMIT $n";
        cmd.Parameters.AddWithValue("$n", limit);
        return ReadSummaries(cmd);
    }
}

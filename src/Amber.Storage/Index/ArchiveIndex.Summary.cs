using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>A conversation's summary brought up to date from what one index transaction added (<see cref="SummaryRefresh"/>).</summary>
internal sealed partial class ArchiveIndex
{
    private SummaryRefresh Summaries => field ??= new SummaryRefresh(this);

    /// <summary>How many summaries <see cref="RefreshConversations(SqliteTransaction, ConversationChanges)"/> recomputed from the whole conversation (tests).</summary>
    internal long SummaryFullRefreshes => Summaries.FullRefreshes;

    /// <summary>Brings the summary of every conversation <paramref name="changes"/> noted up to date, once each.</summary>
    public void RefreshConversations(SqliteTransaction tx, ConversationChanges changes) => Summaries.Refresh(tx, changes);
}

namespace Amber.Storage.Reading;

/// <summary>
/// Series for the viewer's dashboard. Conversations and instances are counted by the month the conversation
/// was created; stored bytes (commit frames) and raw bytes (distinct raw source blobs) by the month of the
/// commit that wrote them. Months are "YYYY-MM", oldest first; values are per month, not cumulative.
/// </summary>
public sealed record ArchiveDashboard(
    IReadOnlyList<MonthCount> ConversationsByMonth,
    IReadOnlyList<MonthCount> InstancesByMonth,
    IReadOnlyList<MonthCount> StoredBytesByMonth,
    IReadOnlyList<MonthCount> RawBytesByMonth,
    IReadOnlyDictionary<string, long> ConversationsBySource,
    long LastSequence);

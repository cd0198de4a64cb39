using Amber.Storage.Format;
using Amber.Storage.Segments;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Log;

/// <summary>
/// The log's entries are the commit info records, which live in the commit frames: the index keeps where each commit's
/// frame is (<c>commits</c>), not a copy of the info (schema 6), so the entry is read from the frame's first entry.
/// </summary>
internal static class LogEntries
{
    /// <summary>The info bytes of commit <paramref name="seq"/> (1-based), or null if the index has no such commit.</summary>
    public static byte[]? Read(SegmentStore segments, SqliteConnection index, long seq)
    {
        using var cmd = index.CreateCommand();
        cmd.CommandText = "SELECT segment, offset FROM commits WHERE seq = $s";
        cmd.Parameters.AddWithValue("$s", seq);
        using var r = cmd.ExecuteReader();
        return r.Read() ? InfoOf(CommitPayload.Read(segments.ReadCommitPayload((uint)r.GetInt64(0), r.GetInt64(1), seq)), (uint)r.GetInt64(0), r.GetInt64(1)) : null;
    }

    /// <summary>The body of a commit frame's Info entry, which every commit frame starts with.</summary>
    public static byte[] InfoOf(IReadOnlyList<CommitPayload.Entry> entries, uint segment, long offset)
        => entries.Count > 0 && entries[0].Type == EntryType.Info
            ? entries[0].Body.ToArray()
            : throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: the commit frame the index places there does not start with an info entry.");
}

using Amber.Storage.Reading;

namespace Amber.Benchmarks;

/// <summary>What one ingest run measured.</summary>
public sealed record IngestResult
{
    public required IngestSettings Settings { get; init; }

    public required string ArchiveDirectory { get; init; }

    public required int CompressionLevel { get; init; }

    public required int Records { get; init; }

    public required int Commits { get; init; }

    public required long RawBytes { get; init; }

    /// <summary>Building the batches (node canonical JSON + SHA-256, raw SHA-256), outside the commits.</summary>
    public required TimeSpan Build { get; init; }

    /// <summary>Wall time of all <c>archive.Commit(batch)</c> calls (each durable on return).</summary>
    public required TimeSpan Commit { get; init; }

    public required TimeSpan FileSync { get; init; }

    public required long FileSyncs { get; init; }

    public required TimeSpan DirectorySync { get; init; }

    public required long DirectorySyncs { get; init; }

    public required TimeSpan Write { get; init; }

    public required long WriteBytes { get; init; }

    /// <summary>Commit frame bytes per corpus folder (CommitResult.StoredBytes summed).</summary>
    public required IReadOnlyDictionary<string, long> FrameBytesByFolder { get; init; }

    /// <summary>External blob file bytes per corpus folder (raw records at or above the external threshold).</summary>
    public required IReadOnlyDictionary<string, long> ExternalBytesByFolder { get; init; }

    /// <summary>Conversation id and raw blob id of every record, in corpus order.</summary>
    public required IReadOnlyList<(string ConversationId, string RawId)> Ids { get; init; }

    public required ArchiveStats Stats { get; init; }

    /// <summary>Wall time of each commit, in corpus order (empty for pipelined runs).</summary>
    public required IReadOnlyList<TimeSpan> CommitTimes { get; init; }

    public double CommitMBps => RawBytes / 1e6 / Commit.TotalSeconds;

    public double EndToEndMBps => RawBytes / 1e6 / (Build + Commit).TotalSeconds;
}

namespace Amber.Import;

/// <summary>Limits and choices for an import run.</summary>
public sealed record ImportOptions
{
    /// <summary>
    /// The zstd level <c>amber import</c> writes its frames at (the archive's default is 9): a bulk import pays the
    /// compression of every byte it reads before it is searchable, while <c>amber compact</c> re-encodes sealed segments
    /// at level 19 later and reaches the same size whatever level wrote them (BENCHMARKS.md §24, §33).
    /// </summary>
    public const int ArchiveCompressionLevel = 3;

    /// <summary>A format name, or null/"auto" to detect each file's format.</summary>
    public string? Format { get; init; }

    /// <summary>Largest total uncompressed size of one zip's entries.</summary>
    public long MaxZipTotalBytes { get; init; } = 16L << 30;

    /// <summary>Largest uncompressed size of one zip entry.</summary>
    public long MaxZipEntryBytes { get; init; } = 4L << 30;

    /// <summary>Largest compression ratio allowed for a zip entry over 1 MiB (zip-bomb guard).</summary>
    public double MaxZipRatio { get; init; } = 200;

    /// <summary>Largest number of entries in one zip.</summary>
    public int MaxZipEntries { get; init; } = 200_000;

    /// <summary>How many commits may be in flight at once (they share fsyncs through group commit).</summary>
    public int CommitConcurrency { get; init; } = 128;

    /// <summary>
    /// Most raw bytes in the commits in flight: a commit holds its conversations' normalized nodes until it is
    /// written, several times its raw bytes, so a count alone let 128 packed commits (64 MiB of raw) hold about 1 GB.
    /// The importer waits for the oldest commit whenever either limit is reached (BENCHMARKS.md §20).
    /// </summary>
    public long CommitBytesInFlight { get; init; } = 4L << 20;

    /// <summary>
    /// Conversations are packed into one commit (one compressed frame) until their raw bytes reach this
    /// size, so zstd sees neighbouring conversations together; a larger one goes alone. 0 commits one
    /// conversation per commit. Reading a conversation decompresses its whole frame, so this bounds read cost.
    /// 512 KiB since frames are packed: 1.58 × zstd -19 for the corpus against 1.66 × at 96 KiB (BENCHMARKS.md §14).
    /// </summary>
    public int PackBytes { get; init; } = 512 << 10;

    /// <summary>Most conversations packed into one commit.</summary>
    public int PackConversations { get; init; } = 64;
}

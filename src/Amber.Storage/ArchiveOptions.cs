using System.Security.Cryptography;
using Amber.Storage.FileSystem;

namespace Amber.Storage;

/// <summary>How to open an archive. Time and randomness are injected so archives and tests are reproducible.</summary>
public sealed record ArchiveOptions
{
    /// <summary>The archive folder (segments, blobs, index).</summary>
    public required string Directory { get; init; }

    public IFileSystem FileSystem { get; init; } = LocalFileSystem.Instance;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Fills a buffer with random bytes (the archive id at init).</summary>
    public Action<Span<byte>> Random { get; init; } = RandomNumberGenerator.Fill;

    /// <summary>The SQLite index file; defaults to index.db in the archive folder.</summary>
    public string? IndexPath { get; init; }

    /// <summary>A segment is sealed and a new one started once it grows past this size.</summary>
    public long SegmentSize { get; init; } = 256L << 20;

    /// <summary>zstd level for commit frames.</summary>
    public int CompressionLevel { get; init; } = 9;

    /// <summary>
    /// Pack commit frames (codecs 3 and 4, record-frame.md §10: text kept once, recomputable ids not stored). Off, the
    /// writer stores payloads as they are (codecs 1 and 2); kept for measuring the difference and for tests.
    /// </summary>
    public bool PackFrames { get; init; } = true;

    /// <summary>Commits of one kind to collect before a dictionary is trained for that kind.</summary>
    public int DictionaryTrainingCommits { get; init; } = 48;

    /// <summary>Minimum bytes of samples before training.</summary>
    public int DictionaryTrainingBytes { get; init; } = 256 << 10;

    public int DictionarySize { get; init; } = 32 << 10;

    /// <summary>Blobs at least this large are stored as their own files rather than inline.</summary>
    public int ExternalBlobThreshold { get; init; } = 1 << 20;

    /// <summary>Open without recovering or writing (used while another process holds the writer lock).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// Open only to verify it (<c>amber verify</c>): read-only like <see cref="ReadOnly"/> and without a reader's open-time
    /// work either (no recovery scan, no log check against the index, no index check), so the files are left exactly as
    /// they are (a torn tail or an unfinished index is reported, not repaired); verify writes only <c>verify.memo</c>.
    /// </summary>
    public bool Verifying { get; init; }

    /// <summary>Create the archive if the folder holds none.</summary>
    public bool CreateIfMissing { get; init; }

    /// <summary>
    /// At init: true makes an encrypted archive (each conversation's content under its own data key, encryption.md),
    /// false records in archive.json that it is not; null writes nothing (an archive without encryption, as before it
    /// existed). Ignored when opening: archive.json says.
    /// </summary>
    public bool? Encryption { get; init; }

    /// <summary>
    /// The tenant keys of an encrypted archive, given its id (hex). Without it an encrypted archive opens with its
    /// content locked: ids, the log and proofs verify, nothing can be read or written.
    /// </summary>
    public Func<string, Keys.IKeyProvider>? KeyProvider { get; init; }

    /// <summary>The transparency log's origin (and key name) at init; default amber.archive/&lt;archive id prefix&gt;.</summary>
    public string? LogOrigin { get; init; }

    /// <summary>At most one checkpoint per interval under load; after the last commit, one is signed once the interval has passed (or at close, or on demand).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A long-running host (the gateway, the viewer) sets this: once a write has failed (a full disk), the writer is
    /// reopened in place — the torn tail cut, the index caught up, as a restart would — at most this often, on the next
    /// commit or readiness probe. Null (the CLI's one-shot commands): a failed writer stays failed until the archive
    /// is opened again.
    /// </summary>
    public TimeSpan? WriterRetryInterval { get; init; }

    /// <summary>Where recovery reports what it did (torn tails cut, index caught up).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// Told the frames and segment bytes indexed while a writer's open catches the index up with the segments or
    /// rebuilds it (a schema upgrade, a foreign or damaged index), like <see cref="Archive.RebuildIndex(IProgress{ScanProgress}?)"/>.
    /// </summary>
    public IProgress<ScanProgress>? OpenProgress { get; init; }

    /// <summary>The index's WAL size past which the indexer empties it (tests set less).</summary>
    internal long IndexWalSizeLimit { get; init; } = Index.ArchiveIndex.DefaultWalSizeLimit;

    /// <summary>Below this many nodes a writer does not compact the index at close (Index/IndexCompaction; tests use less).</summary>
    internal long IndexCompactAfterNodes { get; init; } = Index.IndexCompaction.DefaultMinimumNodes;
}

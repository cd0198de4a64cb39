using Amber.Storage.FileSystem;
using Amber.Storage.Index;
using Amber.Storage.Segments;
using Microsoft.Data.Sqlite;

namespace Amber.Storage;

/// <summary>
/// What the rest of the storage engine (the log, verify, the index lag probe) and its tests reach through the archive:
/// thin forwards to the segment store and the catalogue, under the names they have always had.
/// </summary>
public sealed partial class Archive
{
    /// <summary>Held by the writer while it writes a group, and by verify while it reads, so verify sees a still archive.</summary>
    internal SemaphoreSlim WriteGate { get; }

    internal IFileSystem FileSystem => fs;

    internal ArchivePaths Paths => paths;

    internal ArchiveOptions Options => options;

    /// <summary>Encryption at rest: whether it is on, keys.db, shred, seal, unseal, key rotation.</summary>
    public ArchiveEncryption Encryption => encryption ??= new ArchiveEncryption(this, segments);

    internal ArchiveIndex Index => catalogue.Index;

    /// <summary>Commits acknowledged against commits indexed: what index reads wait on.</summary>
    internal IndexProgress IndexProgress => catalogue.IndexProgress;

    /// <summary>Acknowledged commits the indexer has not committed yet: what the writer validates against, and the recorder's lookups read.</summary>
    internal UnindexedCommits Unindexed => catalogue.Unindexed;

    /// <summary>The catalogue's acknowledged view: a connection to the index that sees every commit acknowledged before this call.</summary>
    internal SqliteConnection OpenIndexForRead() => catalogue.OpenAcknowledged();

    /// <summary>Where the commits after log size <paramref name="fromSize"/> up to <paramref name="toSize"/> sit, in log order, from the acknowledged view.</summary>
    internal List<(long Seq, uint Segment, long Offset)> CommitLocations(long fromSize, long toSize) => Reading(() => catalogue.Content.CommitLocations(fromSize, toSize));

    /// <summary>
    /// Waits until the index holds everything the writer has handed to the indexer (call with <see cref="WriteGate"/>
    /// held: every acknowledged group has then been handed over). A read-only archive has no indexer to wait for.
    /// </summary>
    internal void WaitForIndexer() => writer?.WaitForIndexer();

    /// <summary>Indexes into <paramref name="into"/> every frame after <paramref name="from"/> up to <paramref name="state"/>'s end.</summary>
    internal int Replay(ArchiveIndex into, (uint Segment, long Offset)? from, SegmentState state) => catalogue.Replay(into, from, state);

    /// <summary>
    /// Runs <paramref name="work"/> on the writer's state with the writer held between groups and the indexer drained,
    /// so that neither touches the index while it runs and what it reads describes one point of the archive: an index
    /// rebuild, or a catalogue kept outside <c>index.db</c> (the cluster archive's PostgreSQL) derived from the segments.
    /// </summary>
    /// <param name="what">What needs the writer, for the error when another process holds it.</param>
    internal T HoldingWriter<T>(string what, Func<SegmentState, T> work)
    {
        if (writer is null && keylessState is { } keyless)
        {
            // Holding the lock without the signing key: nothing is appended, so the data ends where it did at open.
            return work(keyless);
        }

        var w = writer ?? throw new InvalidOperationException($"{what} needs the writer lock; another process holds it.");
        WriteGate.Wait();
        try
        {
            w.WaitForIndexer();
            return work(w.State);
        }
        finally
        {
            WriteGate.Release();
        }
    }

    /// <summary>The catalogue (every read and write of index.db), for the storage engine's own components.</summary>
    internal Catalogue.ArchiveCatalogue IndexCatalogue => catalogue;

    /// <summary>Indexes one frame into <paramref name="into"/>; <paramref name="commit"/> is the frame already decoded, if it was.</summary>
    internal void ApplyFrame(ArchiveIndex into, SqliteTransaction tx, Compression compression, uint segment, long offset, byte[] frame, IndexedCommit? commit = null)
        => catalogue.ApplyFrame(into, tx, compression, segment, offset, frame, commit);

    internal static void DeleteIndexFiles(string path) => Catalogue.ArchiveCatalogue.DeleteIndexFiles(path);

    internal static string HexOf(string contentId) => SegmentStore.HexOf(contentId);

    internal byte[] ReadAll(string path) => segments.ReadAll(path);

    internal List<uint> SegmentNumbers() => segments.SegmentNumbers();

    /// <summary>Reads and checks one frame at a known position.</summary>
    internal byte[] ReadFrameBytes(uint segment, long offset) => segments.ReadFrameBytes(segment, offset);

    internal ReadOnlyMemory<byte> ReadCommitPayload(uint segment, long offset, long seq) => segments.ReadCommitPayload(segment, offset, seq);

    internal void AddDictionary(uint id, string label, byte[] dictionary) => segments.AddDictionary(id, label, dictionary);

    internal Dictionary<uint, byte[]> SnapshotDictionaries() => segments.SnapshotDictionaries();
}

using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Storage.Format;
using Amber.Storage.Index;
using Amber.Storage.Segments;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Catalogue;

/// <summary>
/// The catalogue: every read and write of the SQLite index goes through here (the queries are in this folder, the
/// schema and the per-commit rows in <see cref="ArchiveIndex"/>). It opens the index, catches it up with the
/// segments or rebuilds it from them, and names the two views a read can take:
/// <list type="bullet">
/// <item>the <b>acknowledged view</b> (<see cref="OpenAcknowledged"/>): waits until the index holds every commit
/// acknowledged before the call (read-your-writes for the process that wrote). Most reads take it.</item>
/// <item>the <b>indexed view</b> (<see cref="OpenIndexed"/>): the index as it is, without waiting. A read that takes it
/// also reads <see cref="Unindexed"/>, the acknowledged commits the indexer has not reached; together they hold every
/// acknowledged commit. The lookups a recorder makes before each commit take it, so a commit never waits for the
/// indexer of the one before.</item>
/// </list>
/// The <see cref="Indexer"/> applies acknowledged commits in batches on its own thread.
/// </summary>
internal sealed class ArchiveCatalogue : IDisposable
{
    private readonly SegmentStore segments;
    private readonly ArchiveOptions options;
    private ArchiveIndex index = null!;

    public ArchiveCatalogue(SegmentStore segments, string archiveId)
    {
        this.segments = segments;
        options = segments.Options;
        ArchiveId = archiveId;
        Conversations = new ConversationQueries(this, segments);
        Content = new ContentQueries(this, segments);
        Dashboard = new DashboardQueries(this, segments);
        FullText = new FullTextSearch(this, segments);
    }

    public string ArchiveId { get; }

    /// <summary>The index. A rebuild replaces it, so callers that keep something of it compare against this.</summary>
    public ArchiveIndex Index => index;

    /// <summary>Commits acknowledged against commits indexed: what the acknowledged view waits on.</summary>
    public IndexProgress IndexProgress { get; } = new();

    /// <summary>Acknowledged commits the indexer has not committed yet: what the writer validates against, and the indexed view adds.</summary>
    public UnindexedCommits Unindexed { get; } = new();

    public ConversationQueries Conversations { get; }

    public ContentQueries Content { get; }

    public DashboardQueries Dashboard { get; }

    public FullTextSearch FullText { get; }

    private IndexCipher? cipher;

    /// <summary>What keeps an encrypted archive's index free of plaintext (keyed word hashes, encrypted titles); null for an archive without encryption.</summary>
    public IndexCipher? Cipher
    {
        get
        {
            if (segments.ContentKeys is not { } keys)
            {
                return null;
            }

            if (Volatile.Read(ref cipher) is { } made)
            {
                return made;
            }

            var fresh = new IndexCipher(keys);
            if (Interlocked.CompareExchange(ref cipher, fresh, null) is { } other)
            {
                fresh.Dispose();
                return other;
            }

            return fresh;
        }
    }

    /// <summary>A title as the index holds it (text, or encrypted under its conversation's data key), readable; null when it cannot be opened.</summary>
    public string? Title(object? stored, string conversation) => Cipher is { } c ? c.OpenTitle(stored, conversation) : IndexCipher.PlainTitle(stored);

    /// <summary>The acknowledged view: a connection to the index that sees every commit acknowledged before this call.</summary>
    public SqliteConnection OpenAcknowledged()
    {
        IndexProgress.WaitForAcknowledged();
        return index.OpenRead();
    }

    /// <summary>The indexed view: a connection to the index as it is now; add <see cref="Unindexed"/> to it for every acknowledged commit.</summary>
    public SqliteConnection OpenIndexed() => index.OpenRead();

    /// <summary>Opens the index of a read-only process: it must exist and be of this schema (only a writer rebuilds it).</summary>
    public void OpenReader(string indexPath, bool signingKeyMissing)
    {
        if (!File.Exists(indexPath))
        {
            throw new InvalidOperationException($"The archive's index {indexPath} does not exist yet; open it once for writing.");
        }

        // Without the signing key an open for writing is read-only as well, and cannot rebuild the index.
        ArchiveIndex.ThrowIfLeftUnsyncedByAnotherBoot(indexPath, signingKeyMissing ? "restore log/signing.key, then open the archive for writing to rebuild it" : "open the archive once for writing to rebuild it");
        try
        {
            index = ArchiveIndex.OpenReader(indexPath);
            ThrowIfOtherSchema(index, signingKeyMissing);
        }
        catch (SqliteException e) when (IsDamaged(e))
        {
            throw new CorruptArchiveException($"The archive's index {indexPath} is damaged ({e.Message}); open the archive once for writing (or run `amber index rebuild`) to rebuild it from the segments.", e);
        }

        if (index.GetMeta(CompactionMarker.MetaKey) is { } marker && !CompactionMarker.Landed(segments, marker, out var compacted))
        {
            throw new InvalidOperationException($"The archive's index points into a compacted {ArchivePaths.SegmentName(compacted)} that is not in place yet: the writer is swapping it, or its compaction was cut short. Try again, or open the archive for writing to finish it.");
        }
        LoadDictionaries();
    }

    /// <summary>Opens the index for <c>verify</c>: read-only, nothing read yet (<see cref="CheckForVerify"/> reads it).</summary>
    public void OpenForVerify(string indexPath) => index = ArchiveIndex.OpenReader(indexPath);

    /// <summary>
    /// For <c>verify</c>, before it audits the index: where a reader's open would refuse it (missing, another schema, left
    /// unsynced by another boot, a compaction not in place, damaged), says why instead (and verify does not audit it);
    /// <paramref name="damaged"/> tells damage from a state a writer's open rebuilds or finishes.
    /// </summary>
    public string? CheckForVerify(out bool damaged)
    {
        damaged = false;
        var indexPath = index.Path;
        if (!File.Exists(indexPath))
        {
            return $"{indexPath} does not exist; the next open for writing (or `amber index rebuild`) builds it from the segments";
        }

        try
        {
            ArchiveIndex.ThrowIfLeftUnsyncedByAnotherBoot(indexPath, "the next open for writing rebuilds it");
            ThrowIfOtherSchema(index, signingKeyMissing: false);
            if (index.GetMeta(CompactionMarker.MetaKey) is { } marker && !CompactionMarker.Landed(segments, marker, out var compacted))
            {
                return $"{indexPath} points into a compacted {ArchivePaths.SegmentName(compacted)} that is not in place yet (a compaction is swapping it, or was cut short: the next open for writing finishes it)";
            }

            LoadDictionaries();
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
        catch (SqliteException e) when (IsDamaged(e))
        {
            damaged = true;
            return $"{indexPath} is damaged ({e.Message}); `amber index rebuild` rebuilds it from the segments";
        }
    }

    /// <summary>Opens the index for the writer and brings it up to the data (<paramref name="state"/>).</summary>
    public (bool Rebuilt, int Frames) OpenWriter(string indexPath, SegmentState state, List<string> actions)
    {
        try
        {
            index = ArchiveIndex.OpenWriter(indexPath, options.Log, options.IndexWalSizeLimit, options.IndexCompactAfterNodes);
            return CatchUp(state, actions);
        }
        catch (SqliteException e) when (IsDamaged(e))
        {
            // The index is derived: a damaged one is dropped and rebuilt from the segments, which lose nothing.
            CloseReplaced(index);
            SqliteConnection.ClearAllPools();
            DeleteIndexFiles(indexPath);
            actions.Add($"{Path.GetFileName(indexPath)} is damaged ({e.Message}); rebuilding it from the segments");
            index = ArchiveIndex.OpenWriter(indexPath, options.Log, options.IndexWalSizeLimit, options.IndexCompactAfterNodes);
            var (_, frames) = CatchUp(state, actions);
            return (true, frames);
        }
    }

    private const int SqliteCorrupt = 11;

    /// <summary>Closes an index about to be deleted and replaced: a damaged one cannot checkpoint or compact at close, and need not.</summary>
    private static void CloseReplaced(ArchiveIndex? replaced)
    {
        try
        {
            replaced?.Dispose();
        }
        catch (SqliteException e) when (IsDamaged(e))
        {
            // Its files are deleted next.
        }
    }

    /// <summary>True when SQLite says the index file itself is damaged (not a busy or full disk): the index is derived, so a writer rebuilds it.</summary>
    public static bool IsDamaged(SqliteException e) => e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase;

    private const int SqliteNotADatabase = 26;

    /// <summary>Loads the dictionaries the index lists (a reader's, or those trained since it opened).</summary>
    public void LoadDictionaries() => segments.LoadDictionaries(index.Dictionaries());

    /// <summary>The note of the latest signed log checkpoint the index holds, or null.</summary>
    public string? LatestCheckpointNote()
    {
        using var c = OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT note FROM checkpoints ORDER BY size DESC, segment DESC, offset DESC LIMIT 1";
        return cmd.ExecuteScalar() as string;
    }

    /// <summary>A reader cannot rebuild an index of another schema (a writer does, on open): it says how to.</summary>
    private static void ThrowIfOtherSchema(ArchiveIndex index, bool signingKeyMissing)
    {
        var schema = index.GetMeta("schema");
        var expected = ArchiveIndex.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (schema is not null && schema != expected)
        {
            throw new InvalidOperationException(
                $"The archive's index {index.Path} has schema {schema}; this version of amber reads schema {expected}. "
                + (signingKeyMissing
                    ? "Restore log/signing.key, then run `amber index rebuild` or open the archive once for writing to rebuild it."
                    : "Run `amber index rebuild`, or open the archive once for writing, to rebuild it from the segments."));
        }
    }

    /// <summary>Brings the index up to the data: replays frames after its position, or rebuilds it if it is ahead or foreign.</summary>
    private (bool Rebuilt, int Frames) CatchUp(SegmentState state, List<string> actions)
    {
        var owner = index.GetMeta("archive_id");
        var position = index.Position;
        var schema = index.GetMeta("schema");
        var rebuild = false;
        if (index.Discarded is { } why)
        {
            actions.Add(why);
            rebuild = true;
        }
        else if (owner is not null && owner != ArchiveId)
        {
            actions.Add($"index belongs to archive {owner}; rebuilding it");
            rebuild = true;
        }
        else if (schema is not null && schema != ArchiveIndex.SchemaVersion.ToString(CultureInfo.InvariantCulture))
        {
            actions.Add($"index schema {schema} differs from {ArchiveIndex.SchemaVersion}; rebuilding it");
            rebuild = true;
        }
        else if (index.GetMeta(CompactionMarker.MetaKey) is { } marker && !CompactionMarker.Landed(segments, marker, out var compacted))
        {
            actions.Add($"a compaction of {ArchivePaths.SegmentName(compacted)} was cut short after the index moved its rows, and the old file is still in place; rebuilding the index");
            rebuild = true;
        }
        else if (position is { } p && (p.Segment > state.Segment || (p.Segment == state.Segment && p.Offset > state.End)))
        {
            actions.Add($"index is ahead of the data (at {ArchivePaths.SegmentName(p.Segment)}:{p.Offset}, data ends at {ArchivePaths.SegmentName(state.Segment)}:{state.End}); rebuilding it");
            rebuild = true;
        }

        if (rebuild)
        {
            var path = index.Path;
            index.Dispose();
            SqliteConnection.ClearAllPools();
            DeleteIndexFiles(path);
            index = ArchiveIndex.OpenWriter(path, options.Log, options.IndexWalSizeLimit, options.IndexCompactAfterNodes);
            position = null;
        }

        if (!rebuild && index.GetMeta(CompactionMarker.MetaKey) is not null)
        {
            // The compacted file is in place and the rows point into it: only the note is left to drop.
            using var tx = index.Begin();
            index.DeleteMeta(tx, CompactionMarker.MetaKey);
            tx.Commit();
            actions.Add("finished a compaction that was cut short after its new segment file was in place");
        }

        if (!rebuild)
        {
            // Frames after the index's position may be compressed with dictionaries it already holds.
            LoadDictionaries();
        }

        var frames = Replay(index, position, state, options.OpenProgress, adopt: true);
        if (frames > 0 && !rebuild)
        {
            actions.Add($"index caught up with {frames} frame(s)");
        }

        return (rebuild, frames);
    }

    public static void DeleteIndexFiles(string path)
    {
        foreach (var p in new[] { path, path + "-wal", path + "-shm", path + "-journal", Amber.Storage.Index.IndexOpenMarker.PathOf(path) })
        {
            if (File.Exists(p))
            {
                File.Delete(p);
            }
        }
    }

    /// <summary>Indexes into <paramref name="into"/> every frame after <paramref name="from"/> up to <paramref name="state"/>'s end.</summary>
    /// <param name="adopt">True for this archive's own index (its catch-up files the keys made ahead that the frames name,
    /// encryption.md §4.1); false for a scratch index (verify's audit), which writes nothing to keys.db.</param>
    public int Replay(ArchiveIndex into, (uint Segment, long Offset)? from, SegmentState state, IProgress<ScanProgress>? progress = null, bool adopt = false)
    {
        using var tx = into.Begin();
        if (from is null && adopt)
        {
            segments.ContentKeys?.ReloadLocked(); // a rebuilt index no longer holds sealed or shredded conversations: keys.db says which
        }

        if (from is null)
        {
            into.SetMeta(tx, "archive_id", ArchiveId);
            into.SetMeta(tx, "schema", ArchiveIndex.SchemaVersion.ToString(CultureInfo.InvariantCulture));
        }

        var frames = Walk(from, state, progress,
            (compression, seg, pos, bytes) =>
            {
                if (adopt)
                {
                    try
                    {
                        KeyFiling?.Note(into, tx, [bytes]);
                    }
                    catch (FormatException e)
                    {
                        throw new CorruptArchiveException($"{ArchivePaths.SegmentName(seg)} at offset {pos}: the commit's checksum holds but its blocks' headers cannot be read: {e.Message}", e);
                    }
                }

                ApplyFrame(into, tx, compression, seg, pos, bytes);
            },
            (seg, pos) => into.SetPosition(tx, seg, pos));
        if (adopt)
        {
            KeyFiling?.File(into, tx); // what the frames just read name, and what an earlier process left pending
        }

        tx.Commit();
        return frames;
    }

    /// <summary>
    /// Derives into <paramref name="into"/> every row the index holds for the frames up to <paramref name="state"/>'s
    /// end, by the same rule as <see cref="Replay"/>: how a catalogue other than <c>index.db</c> (PostgreSQL, for a
    /// cluster archive) is rebuilt from the segments alone.
    /// </summary>
    /// <param name="from">Where to start (a catalogue's high-water mark, to apply only what follows it), or null for the first frame.</param>
    /// <param name="applied">True for a commit the catalogue already holds (by its hash), which is skipped: applying twice changes nothing.</param>
    public int Derive(IIndexRowStore into, SegmentState state, IProgress<ScanProgress>? progress = null, (uint Segment, long Offset)? from = null,
        Func<IndexedCommit, bool>? applied = null)
    {
        var models = new Dictionary<string, Amber.Core.Model.ModelReference>(StringComparer.Ordinal);
        // No index cipher: such a catalogue (PostgreSQL) keeps its own full-text form of the words (encryption.md §6 covers index.db only).
        return Walk(from, state, progress, (compression, seg, pos, bytes) => DeriveFrame(into, models, compression, seg, pos, bytes, cipher: null, applied: applied), (_, _) => { });
    }

    /// <summary>Reads every frame after <paramref name="from"/> up to <paramref name="state"/>'s end, in order, and hands each to <paramref name="frame"/>.</summary>
    private int Walk((uint Segment, long Offset)? from, SegmentState state, IProgress<ScanProgress>? progress,
        Action<Compression, uint, long, byte[]> frame, Action<uint, long> segmentRead)
    {
        var frames = 0;
        var first = from?.Segment ?? 1u;
        var scan = ScanProgressReporter.For(progress, segments.FileSystem, segments.Paths, Enumerable.Range((int)first, (int)(state.Segment - first + 1)).Select(n => (uint)n), (state.Segment, state.End));
        long before = 0; // bytes of the segments already read
        using var compression = new Compression(segments.SnapshotDictionaries(), segments.ContentKeys);
        var seg = from?.Segment ?? 1u;
        var pos = from?.Offset ?? SegmentHeader.Size;
        for (; seg <= state.Segment; seg++, pos = SegmentHeader.Size)
        {
            var name = ArchivePaths.SegmentName(seg);
            using var file = segments.FileSystem.OpenRead(segments.Paths.Segment(seg));
            var end = seg == state.Segment ? state.End : file.Length;
            var segmentStart = before;
            before += end;
            while (pos < end)
            {
                var step = SegmentScanner.Read(file, pos, end, name);
                if (step.Kind == SegmentScanner.StepKind.Footer)
                {
                    pos = end;
                    break;
                }

                if (step.Kind != SegmentScanner.StepKind.Frame)
                {
                    throw new CorruptArchiveException($"{name} at offset {pos}: {step.Problem} (while indexing).");
                }

                frame(compression, seg, pos, step.Bytes!);
                pos = step.Next;
                frames++;
                scan.Frame(segmentStart + pos);
            }

            segmentRead(seg, pos);
        }

        scan.Complete();
        return frames;
    }

    /// <summary>
    /// In an encrypted archive, notes in the index the keys made ahead that commit frames name, and files them under
    /// their conversations in keys.db (encryption.md §4.1); null when the archive is not encrypted.
    /// </summary>
    public KeyFiling? KeyFiling => segments.ContentKeys is { } keys ? keyFiling ??= new KeyFiling(keys, options.TimeProvider) : null;

    private KeyFiling? keyFiling;

    /// <summary>Indexes one frame (dictionary, checkpoint or commit) into <paramref name="into"/>.</summary>
    /// <param name="commit">The commit frame already decoded (verify decodes each frame once), or null to decode it here.</param>
    public void ApplyFrame(ArchiveIndex into, SqliteTransaction tx, Compression compression, uint segment, long offset, byte[] frame, IndexedCommit? commit = null)
        => DeriveFrame(into.Rows(tx), into.Models, compression, segment, offset, frame, Cipher, commit);

    /// <summary>The rows of one frame (dictionary, checkpoint or commit), into any row store.</summary>
    private void DeriveFrame(IIndexRowStore into, Dictionary<string, Amber.Core.Model.ModelReference> models, Compression compression, uint segment, long offset,
        byte[] frame, IndexCipher? cipher, IndexedCommit? commit = null, Func<IndexedCommit, bool>? applied = null)
    {
        var header = RecordFrame.ReadHeader(frame);
        var payload = RecordFrame.Payload(frame);
        if (header.Kind == FrameKind.Dictionary)
        {
            var (label, dict) = Compression.DecodeDictionaryPayload(payload);
            var id = Compression.DictionaryIdOf(dict);
            compression.AddDictionary(id, dict);
            segments.AddDictionary(id, label, dict);
            IndexRowDeriver.Dictionary(into, id, label, segment, offset, dict.Length);
            return;
        }

        if (header.Kind == FrameKind.Checkpoint)
        {
            IndexRowDeriver.Checkpoint(into, segment, offset, payload);
            return;
        }

        try
        {
            IReadOnlyList<IndexedCommit> commits = commit is not null ? [commit] : DecodeCommits(segment, offset, header, frame.Length, compression.Decode(header, payload));
            foreach (var c in commits.Where(c => applied?.Invoke(c) != true))
            {
                IndexRowDeriver.Apply(into, c, models, cipher: cipher);
            }
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or KeyNotFoundException)
        {
            throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at offset {offset}: the commit's checksum holds but its content cannot be decoded: {e.Message}", e);
        }
    }

    /// <summary>Records a signed log checkpoint frame's note in the index.</summary>
    public static void ApplyCheckpointFrame(ArchiveIndex into, SqliteTransaction tx, uint segment, long offset, ReadOnlySpan<byte> payload)
        => into.AddCheckpoint(tx, segment, offset, payload);

    /// <summary>
    /// The commits of a decoded commit frame: one, or for a merged frame (kind 4) each of its commits, with entry offsets
    /// in the whole decoded payload and the frame's bytes shared out as their lengths (<see cref="MergedCommits.Share"/>).
    /// </summary>
    public static IReadOnlyList<IndexedCommit> DecodeCommits(uint segment, long offset, FrameHeader header, long frameLength, byte[] decoded)
    {
        if (header.Kind != FrameKind.Commits)
        {
            return [DecodeCommit(segment, offset, frameLength, decoded)];
        }

        var entries = CommitPayload.Read(decoded);
        var commits = new List<IndexedCommit>();
        var k = 0;
        foreach (var (start, length) in MergedCommits.Members(decoded))
        {
            var first = k;
            while (k < entries.Count && entries[k].Offset - CommitPayload.EntryHeaderSize < start + length)
            {
                k++;
            }

            commits.Add(Describe(segment, offset, MergedCommits.Share(frameLength, start, length, decoded.Length), entries.GetRange(first, k - first)));
        }

        return commits;
    }

    public static IndexedCommit DecodeCommit(uint segment, long offset, long frameLength, byte[] decoded)
        => Describe(segment, offset, frameLength, CommitPayload.Read(decoded));

    private static IndexedCommit Describe(uint segment, long offset, long frameLength, List<CommitPayload.Entry> entries)
    {
        if (entries.Count == 0 || entries[0].Type != EntryType.Info)
        {
            throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: commit does not start with its info record.");
        }

        var info = JsonNode.Parse(entries[0].Body.Span) as JsonObject
            ?? throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: commit info is not a JSON object.");
        return new IndexedCommit(segment, offset, frameLength, ContentId.Of(entries[0].Body.Span), info,
            entries.Select(e => new IndexedEntry(e.Type, e.Offset, e.Body)).ToList());
    }

    public RecoveryReport Rebuild(SegmentState state, IProgress<ScanProgress>? progress = null)
    {
        var path = index.Path;
        var tmp = path + ".rebuild";
        DeleteIndexFiles(tmp);
        var old = index;
        index = ArchiveIndex.OpenWriter(tmp, options.Log, options.IndexWalSizeLimit, options.IndexCompactAfterNodes);
        int frames;
        try
        {
            frames = Replay(index, null, state, progress, adopt: true);
        }
        catch
        {
            index.Dispose();
            index = old;
            throw;
        }

        index.Dispose();
        CloseReplaced(old);
        SqliteConnection.ClearAllPools();
        DeleteIndexFiles(path);
        File.Move(tmp, path);
        index = ArchiveIndex.OpenWriter(path, options.Log, options.IndexWalSizeLimit, options.IndexCompactAfterNodes);
        return new RecoveryReport { IndexRebuilt = true, FramesIndexed = frames, Actions = [$"index rebuilt from {frames} frame(s)"] };
    }

    public void Dispose()
    {
        keyFiling?.Dispose();
        index?.Dispose();
        cipher?.Dispose();
    }
}

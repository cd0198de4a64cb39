using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Storage.Format;
using Amber.Storage.Index;

namespace Amber.Storage;

public sealed partial class Archive
{
    /// <summary>
    /// Finds where the data ends. Frames before the checkpoint are trusted here (verify re-checks them);
    /// frames after it are scanned. A damaged frame at the very end of the active segment is a torn write
    /// and is cut; a damaged frame with data after it, or data short of the checkpoint, is corruption.
    /// </summary>
    private SegmentState RecoverSegments(bool readOnly, List<string> actions, out long tornBytes)
    {
        tornBytes = 0;
        if (!readOnly)
        {
            foreach (var tmp in fs.ListFiles(paths.Segments).Where(n => n.EndsWith(".tmp", StringComparison.Ordinal)))
            {
                fs.Delete(Path.Combine(paths.Segments, tmp));
                actions.Add($"removed unfinished segment file {tmp}");
            }

            RemoveTempBlobs(actions);
        }

        var numbers = SegmentNumbers();
        if (numbers.Count == 0)
        {
            throw new CorruptArchiveException($"{paths.Segments}: no segment files.");
        }

        for (var i = 0; i < numbers.Count; i++)
        {
            if (numbers[i] != i + 1)
            {
                throw new CorruptArchiveException($"{paths.Segments}: segment {i + 1} is missing (found {ArchivePaths.SegmentName(numbers[i])}).");
            }
        }

        var last = numbers[^1];
        var name = ArchivePaths.SegmentName(last);
        // A read-only opener races a live writer (which may seal and rotate meanwhile): it takes the data as
        // it finds it and leaves checkpoint judgements to the writer.
        Checkpoint? checkpoint = !readOnly && fs.FileExists(paths.Checkpoint) ? Checkpoint.TryParse(ReadAll(paths.Checkpoint)) : null;
        if (checkpoint is { } cp && cp.Segment > last)
        {
            throw new CorruptArchiveException($"checkpoint ahead of data: writer.chk points into segment {cp.Segment}, but the last segment is {last}; acknowledged commits are missing.");
        }

        using var file = readOnly ? fs.OpenRead(paths.Segment(last)) : fs.OpenWrite(paths.Segment(last), create: false);
        var length = file.Length;
        var headerBytes = new byte[SegmentHeader.Size];
        file.Read(0, headerBytes);
        var header = SegmentHeader.Parse(headerBytes, name);
        if (!Convert.ToHexStringLower(header.ArchiveId).Equals(ArchiveId, StringComparison.Ordinal))
        {
            throw new CorruptArchiveException($"{name}: belongs to archive {Convert.ToHexStringLower(header.ArchiveId)}, not {ArchiveId}.");
        }

        long pos = SegmentHeader.Size;
        if (checkpoint is { } c && c.Segment == last)
        {
            if (c.Offset > length)
            {
                throw new CorruptArchiveException($"checkpoint ahead of data: writer.chk says {name} holds {c.Offset} durable bytes, but the file has {length}; acknowledged commits are missing.");
            }

            pos = Math.Max(pos, c.Offset);
        }

        var isSealed = false;
        while (true)
        {
            var step = SegmentScanner.Read(file, pos, length, name);
            if (step.Kind == SegmentScanner.StepKind.Frame)
            {
                pos = step.Next;
                continue;
            }

            if (step.Kind == SegmentScanner.StepKind.Footer)
            {
                isSealed = true;
                break;
            }

            if (step.Kind == SegmentScanner.StepKind.End)
            {
                break;
            }

            if (step.Kind == SegmentScanner.StepKind.Torn)
            {
                var cut = length - pos;
                tornBytes = cut;
                if (readOnly)
                {
                    actions.Add($"{name}: torn tail of {cut} bytes at offset {pos} ({step.Problem}); left for the writer to cut");
                }
                else
                {
                    file.SetLength(pos);
                    file.Sync();
                    actions.Add($"{name}: cut a torn tail of {cut} bytes at offset {pos} ({step.Problem})");
                }

                length = pos;
                break;
            }

            throw new CorruptArchiveException($"{name} at offset {pos}: {step.Problem}; valid data follows, so this is damage, not a torn write. Run `amber verify` for the full list of faults.");
        }

        if (!readOnly)
        {
            if (isSealed)
            {
                var next = last + 1;
                CreateSegmentFile(fs, paths, next, header.ArchiveId, options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
                actions.Add($"{name} was sealed; started {ArchivePaths.SegmentName(next)}");
                WriteCheckpoint(new Checkpoint(next, SegmentHeader.Size), sync: true);
                return new SegmentState(next, SegmentHeader.Size, header.ArchiveId, false);
            }

            if (checkpoint is not { } c2 || c2.Segment != last || c2.Offset != pos)
            {
                WriteCheckpoint(new Checkpoint(last, pos), sync: true);
            }
        }

        return new SegmentState(last, pos, header.ArchiveId, isSealed);
    }

    private void RemoveTempBlobs(List<string> actions)
    {
        foreach (var dir in fs.ListDirectories(paths.Blobs))
        {
            var full = Path.Combine(paths.Blobs, dir);
            foreach (var name in fs.ListFiles(full).Where(n => n.EndsWith(".tmp", StringComparison.Ordinal)))
            {
                fs.Delete(Path.Combine(full, name));
                actions.Add($"removed unfinished blob file {dir}/{name}");
            }
        }
    }

    internal void WriteCheckpoint(Checkpoint checkpoint, bool sync)
    {
        using var f = fs.OpenWrite(paths.Checkpoint, create: true);
        f.Write(0, checkpoint.ToBytes());
        if (sync)
        {
            f.Sync();
        }
    }

    /// <summary>Brings the index up to the data: replays frames after its position, or rebuilds it if it is ahead or foreign.</summary>
    private (bool Rebuilt, int Frames) CatchUpIndex(SegmentState state, List<string> actions)
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
        else if (position is { } p && (p.Segment > state.Segment || (p.Segment == state.Segment && p.Offset > state.End)))
        {
            actions.Add($"index is ahead of the data (at {ArchivePaths.SegmentName(p.Segment)}:{p.Offset}, data ends at {ArchivePaths.SegmentName(state.Segment)}:{state.End}); rebuilding it");
            rebuild = true;
        }

        if (rebuild)
        {
            var path = index.Path;
            index.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            DeleteIndexFiles(path);
            index = ArchiveIndex.OpenWriter(path, options.Log, options.IndexWalSizeLimit);
            position = null;
        }

        if (!rebuild)
        {
            // Frames after the index's position may be compressed with dictionaries it already holds.
            LoadDictionaries();
        }

        var frames = Replay(index, position, state);
        if (frames > 0 && !rebuild)
        {
            actions.Add($"index caught up with {frames} frame(s)");
        }

        return (rebuild, frames);
    }

    internal static void DeleteIndexFiles(string path)
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
    internal int Replay(ArchiveIndex into, (uint Segment, long Offset)? from, SegmentState state)
    {
        var frames = 0;
        var compression = new Compression(SnapshotDictionaries());
        using var tx = into.Begin();
        if (from is null)
        {
            into.SetMeta(tx, "archive_id", ArchiveId);
            into.SetMeta(tx, "schema", ArchiveIndex.SchemaVersion.ToString(CultureInfo.InvariantCulture));
        }

        var seg = from?.Segment ?? 1u;
        var pos = from?.Offset ?? SegmentHeader.Size;
        for (; seg <= state.Segment; seg++, pos = SegmentHeader.Size)
        {
            var name = ArchivePaths.SegmentName(seg);
            using var file = fs.OpenRead(paths.Segment(seg));
            var end = seg == state.Segment ? state.End : file.Length;
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

                ApplyFrame(into, tx, compression, seg, pos, step.Bytes!);
                pos = step.Next;
                frames++;
            }

            into.SetPosition(tx, seg, pos);
        }

        tx.Commit();
        compression.Dispose();
        return frames;
    }

    /// <summary>Indexes one frame (dictionary, checkpoint or commit) into <paramref name="into"/>.</summary>
    /// <param name="commit">The commit frame already decoded (verify decodes each frame once), or null to decode it here.</param>
    internal void ApplyFrame(ArchiveIndex into, Microsoft.Data.Sqlite.SqliteTransaction tx, Compression compression, uint segment, long offset, byte[] frame, IndexedCommit? commit = null)
    {
        var header = RecordFrame.ReadHeader(frame);
        var payload = RecordFrame.Payload(frame);
        if (header.Kind == FrameKind.Dictionary)
        {
            var (label, dict) = Compression.DecodeDictionaryPayload(payload);
            var id = Compression.DictionaryIdOf(dict);
            compression.AddDictionary(id, dict);
            AddDictionary(id, label, dict);
            into.AddDictionary(tx, id, label, segment, offset, dict.Length);
            return;
        }

        if (header.Kind == FrameKind.Checkpoint)
        {
            ApplyCheckpointFrame(into, tx, segment, offset, payload);
            return;
        }

        try
        {
            into.Apply(tx, commit ?? DecodeCommit(segment, offset, frame.Length, compression.Decode(header, payload)));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or KeyNotFoundException)
        {
            throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at offset {offset}: the commit's checksum holds but its content cannot be decoded: {e.Message}", e);
        }
    }

    /// <summary>Records a signed log checkpoint frame's note in the index.</summary>
    internal static void ApplyCheckpointFrame(ArchiveIndex into, Microsoft.Data.Sqlite.SqliteTransaction tx, uint segment, long offset, ReadOnlySpan<byte> payload)
    {
        var note = System.Text.Encoding.UTF8.GetString(payload);
        var cp = Amber.Transparency.Checkpoints.Checkpoint.Parse(Amber.Transparency.Notes.SignedNote.Parse(note).Text);
        into.AddCheckpoint(tx, cp.Size, segment, offset, note);
    }

    internal static IndexedCommit DecodeCommit(uint segment, long offset, long frameLength, byte[] decoded)
    {
        var entries = CommitPayload.Read(decoded);
        if (entries.Count == 0 || entries[0].Type != EntryType.Info)
        {
            throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: commit does not start with its info record.");
        }

        var info = JsonNode.Parse(entries[0].Body.Span) as JsonObject
            ?? throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: commit info is not a JSON object.");
        return new IndexedCommit(segment, offset, frameLength, ContentId.Of(entries[0].Body.Span), info,
            entries.Select(e => new IndexedEntry(e.Type, e.Offset, e.Body)).ToList());
    }

    /// <summary>Drops the index and rebuilds it from the segments alone.</summary>
    public RecoveryReport RebuildIndex()
    {
        if (writer is null)
        {
            throw new InvalidOperationException("Rebuilding the index needs the writer lock; another process holds it.");
        }

        // The writer is held between groups and the indexer drained, so neither touches the index while it is replaced.
        WriteGate.Wait();
        try
        {
            writer.WaitForIndexer();
            return RebuildIndexCore(writer.State);
        }
        finally
        {
            WriteGate.Release();
        }
    }

    private RecoveryReport RebuildIndexCore(SegmentState state)
    {
        var path = index.Path;
        var tmp = path + ".rebuild";
        DeleteIndexFiles(tmp);
        var old = index;
        index = ArchiveIndex.OpenWriter(tmp, options.Log, options.IndexWalSizeLimit);
        int frames;
        try
        {
            frames = Replay(index, null, state);
        }
        catch
        {
            index.Dispose();
            index = old;
            throw;
        }

        index.Dispose();
        old.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        DeleteIndexFiles(path);
        File.Move(tmp, path);
        index = ArchiveIndex.OpenWriter(path, options.Log, options.IndexWalSizeLimit);
        return new RecoveryReport { IndexRebuilt = true, FramesIndexed = frames, Actions = [$"index rebuilt from {frames} frame(s)"] };
    }
}

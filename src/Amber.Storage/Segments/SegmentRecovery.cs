using Amber.Storage.FileSystem;
using Amber.Storage.Format;

namespace Amber.Storage.Segments;

/// <summary>Recovery of the segment files on open: unfinished files removed, the end of the data found, a torn tail cut.</summary>
internal static class SegmentRecovery
{
    /// <summary>
    /// Finds where the data ends. Frames before the checkpoint are trusted here (verify re-checks them);
    /// frames after it are scanned. A damaged frame at the very end of the active segment is a torn write
    /// and is cut; a damaged frame with data after it, or data short of the checkpoint, is corruption.
    /// </summary>
    public static SegmentState Recover(SegmentStore store, string archiveId, bool readOnly, List<string> actions, out long tornBytes)
    {
        var (fs, paths, options) = (store.FileSystem, store.Paths, store.Options);
        tornBytes = 0;
        if (!readOnly)
        {
            foreach (var tmp in fs.ListFiles(paths.Segments).Where(n => n.EndsWith(".tmp", StringComparison.Ordinal)))
            {
                fs.Delete(Path.Combine(paths.Segments, tmp));
                actions.Add($"removed unfinished segment file {tmp}");
            }

            RemoveTempBlobs(fs, paths, actions);
        }

        var numbers = store.SegmentNumbers();
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
        Checkpoint? checkpoint = !readOnly && fs.FileExists(paths.Checkpoint) ? Checkpoint.TryParse(store.ReadAll(paths.Checkpoint)) : null;
        if (checkpoint is null && !readOnly && fs.FileExists(paths.Checkpoint))
        {
            // writer.chk only saves a scan; damaged, it is said and the last segment is scanned from its start instead.
            actions.Add("writer.chk is damaged (checksum mismatch); the last segment was scanned in full instead and writer.chk rewritten");
        }

        if (checkpoint is { } cp && cp.Segment > last)
        {
            throw new CorruptArchiveException($"checkpoint ahead of data: writer.chk points into segment {cp.Segment}, but the last segment is {last}; acknowledged commits are missing.");
        }

        using var file = readOnly ? fs.OpenRead(paths.Segment(last)) : fs.OpenWrite(paths.Segment(last), create: false);
        var length = file.Length;
        var headerBytes = new byte[SegmentHeader.Size];
        file.Read(0, headerBytes);
        var header = SegmentHeader.Parse(headerBytes, name);
        if (!Convert.ToHexStringLower(header.ArchiveId).Equals(archiveId, StringComparison.Ordinal))
        {
            throw new CorruptArchiveException($"{name}: belongs to archive {Convert.ToHexStringLower(header.ArchiveId)}, not {archiveId} as archive.json says.");
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
                SegmentStore.CreateSegmentFile(fs, paths, next, header.ArchiveId, options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
                actions.Add($"{name} was sealed; started {ArchivePaths.SegmentName(next)}");
                store.WriteCheckpoint(new Checkpoint(next, SegmentHeader.Size), sync: true);
                return new SegmentState(next, SegmentHeader.Size, header.ArchiveId, false);
            }

            if (checkpoint is not { } c2 || c2.Segment != last || c2.Offset != pos)
            {
                store.WriteCheckpoint(new Checkpoint(last, pos), sync: true);
            }
        }

        return new SegmentState(last, pos, header.ArchiveId, isSealed);
    }

    private static void RemoveTempBlobs(IFileSystem fs, ArchivePaths paths, List<string> actions)
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
}

using System.Security.Cryptography;
using Amber.Core.Hashing;
using Amber.Storage.FileSystem;
using Amber.Storage.Format;
using ZstdSharp;

namespace Amber.Storage.Segments;

/// <summary>
/// The segment the writer appends to, and the blob files it writes beside it: appends frames, seals a full segment
/// (footer hash) and starts the next. Writer thread only; durability (the fsync that acknowledges) is the caller's.
/// </summary>
internal sealed class ActiveSegment : IDisposable
{
    private readonly SegmentStore store;
    private IStorageFile segmentFile;

    public ActiveSegment(SegmentStore store, SegmentState state)
    {
        this.store = store;
        State = state;
        segmentFile = store.FileSystem.OpenWrite(store.Paths.Segment(state.Segment), create: false);
    }

    /// <summary>Where the data ends: the segment appended to and the offset of its next frame.</summary>
    public SegmentState State { get; private set; }

    /// <summary>Makes everything appended so far durable.</summary>
    public void Sync() => segmentFile.Sync();

    public void Append(byte[] frame, out uint segment, out long offset)
    {
        if (State.End + frame.Length + SegmentFooter.Size > store.Options.SegmentSize && State.End > SegmentHeader.Size)
        {
            Seal();
        }

        segmentFile.Write(State.End, frame);
        segment = State.Segment;
        offset = State.End;
        State = State with { End = State.End + frame.Length };
    }

    /// <summary>Seals the segment now if its frames take at least <paramref name="bytes"/>, so that a compaction can re-encode it.</summary>
    public bool SealIfAtLeast(long bytes)
    {
        if (State.End - SegmentHeader.Size < Math.Max(bytes, 1))
        {
            return false;
        }

        Seal();
        return true;
    }

    /// <summary>Writes the footer (SHA-256 of everything before it), then starts the next segment.</summary>
    private void Seal()
    {
        var name = ArchivePaths.SegmentName(State.Segment);
        // One pass: the header, then every frame, checked and hashed as it is read.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var header = new byte[SegmentHeader.Size];
        segmentFile.Read(0, header);
        sha.AppendData(header);
        uint frames = 0;
        for (long pos = SegmentHeader.Size; pos < State.End;)
        {
            var step = SegmentScanner.Read(segmentFile, pos, State.End, name);
            if (step.Kind != SegmentScanner.StepKind.Frame)
            {
                throw new CorruptArchiveException($"{name} at {pos}: {step.Problem} (while sealing).");
            }

            sha.AppendData(step.Bytes!);
            frames++;
            pos = step.Next;
        }

        var footer = new byte[SegmentFooter.Size];
        new SegmentFooter(State.End, frames, sha.GetHashAndReset()).Write(footer);
        segmentFile.Write(State.End, footer);
        segmentFile.Sync();
        segmentFile.Dispose();
        var next = State.Segment + 1;
        SegmentStore.CreateSegmentFile(store.FileSystem, store.Paths, next, State.ArchiveId, store.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        State = new SegmentState(next, SegmentHeader.Size, State.ArchiveId, false);
        segmentFile = store.FileSystem.OpenWrite(store.Paths.Segment(next), create: false);
        store.WriteCheckpoint(new Checkpoint(next, SegmentHeader.Size), sync: true);
    }

    public void WriteExternalBlob(string hex, ReadOnlyMemory<byte> bytes)
    {
        var path = store.Paths.BlobFile(hex);
        if (store.FileSystem.FileExists(path) && ExistingBlobMatches(path, hex))
        {
            return; // left by an earlier commit that never completed, and intact
        }

        var dir = Path.GetDirectoryName(path)!;
        if (!store.FileSystem.DirectoryExists(dir))
        {
            store.FileSystem.CreateDirectory(dir);
            store.FileSystem.SyncDirectory(store.Paths.Blobs);
        }

        var compressed = Compression.Compress(bytes.Span, 3, null);
        AtomicFile.Write(store.FileSystem, path, compressed);
    }

    private bool ExistingBlobMatches(string path, string hex)
    {
        try
        {
            using var d = new Decompressor();
            return ContentId.Of(d.Unwrap(store.ReadAll(path))) == ContentId.Prefix + hex;
        }
        catch (ZstdException)
        {
            return false;
        }
    }

    public void Dispose() => segmentFile.Dispose();
}

using System.Security.Cryptography;
using Amber.Storage.FileSystem;
using Amber.Storage.Format;
using Amber.Storage.Format.Packing;
using ZstdSharp;

namespace Amber.Storage.Segments;

/// <summary>
/// Re-encodes one sealed segment into a new sealed file (segment.md §14): its commits decoded and compressed again at a
/// higher zstd level, consecutive commits merged into frames of about <c>mergeBytes</c> decoded bytes (kind 4, so the
/// matcher sees across them; <see cref="CommitMerger"/>), or with <c>mergeBytes</c> 0 each frame on its own with the dictionary
/// it named. Dictionary and checkpoint frames are copied as they are. The old file's footer hash is checked as it is
/// read, so damage is never re-sealed as if it were good data; each new frame is decoded back and compared before it is
/// written. Nothing here touches the index or the old file: <see cref="Archive"/> swaps them.
/// </summary>
internal static class SegmentCompactor
{
    /// <summary>The suffix of the file a compaction writes; a writer deletes leftovers on open like every <c>.tmp</c>.</summary>
    public const string TempSuffix = ".compact.tmp";

    public static SegmentRewrite Rewrite(SegmentStore store, uint number, int level, bool pack, int mergeBytes, Action<long>? progress = null)
    {
        var fs = store.FileSystem;
        var path = store.Paths.Segment(number);
        var name = ArchivePaths.SegmentName(number);
        var tmp = path + TempSuffix;
        if (fs.FileExists(tmp))
        {
            fs.Delete(tmp);
        }

        using var old = fs.OpenRead(path);
        var headerBytes = new byte[SegmentHeader.Size];
        old.Read(0, headerBytes);
        var header = SegmentHeader.Parse(headerBytes, name);
        using var oldHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var newHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var codecs = new RewriteCodecs(store.SnapshotDictionaries(), level, pack);
        try
        {
            using var output = fs.OpenWrite(tmp, create: true);
            output.SetLength(0);
            var newHeader = new byte[SegmentHeader.Size];
            var version = mergeBytes > 0 ? SegmentHeader.MergedVersion : SegmentHeader.CurrentVersion;
            (header with { Version = version, MinReaderVersion = version, CompactionLevel = (byte)level }).Write(newHeader);
            output.Write(0, newHeader);
            oldHash.AppendData(headerBytes);
            newHash.AppendData(newHeader);
            var sink = new RewriteSink(output, newHash);
            var merger = new CommitMerger(sink, codecs, mergeBytes, name);
            long pos = SegmentHeader.Size;
            SegmentFooter? footer = null;
            uint oldFrames = 0;
            while (footer is null)
            {
                var step = SegmentScanner.Read(old, pos, old.Length, name);
                switch (step.Kind)
                {
                    case SegmentScanner.StepKind.Footer:
                        footer = step.Footer;
                        continue;
                    case SegmentScanner.StepKind.Frame:
                        break;
                    default:
                        throw new CorruptArchiveException($"{name} at offset {pos}: {step.Problem ?? "no footer"}; only a sealed, undamaged segment is compacted (run `amber verify`).");
                }

                var frame = step.Bytes!;
                oldHash.AppendData(frame);
                merger.Add(pos, frame);
                pos = step.Next;
                oldFrames++;
                progress?.Invoke(pos);
            }

            merger.Flush();
            if (!oldHash.GetHashAndReset().AsSpan().SequenceEqual(footer.Sha256) || footer.FrameCount != oldFrames)
            {
                throw new CorruptArchiveException($"{name}: the footer's SHA-256 or frame count does not match the segment's bytes; it is not compacted (run `amber verify`).");
            }

            var sha = newHash.GetHashAndReset();
            var footerBytes = new byte[SegmentFooter.Size];
            new SegmentFooter(sink.At, sink.Frames, sha).Write(footerBytes);
            output.Write(sink.At, footerBytes);
            output.Sync();
            return new SegmentRewrite(number, tmp, old.Length, sink.At + SegmentFooter.Size, sha, merger.Moves);
        }
        catch
        {
            if (fs.FileExists(tmp))
            {
                fs.Delete(tmp);
            }

            throw;
        }
    }
}

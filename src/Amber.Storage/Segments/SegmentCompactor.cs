using System.Security.Cryptography;
using Amber.Storage.FileSystem;
using Amber.Storage.Format;
using Amber.Storage.Format.Packing;
using ZstdSharp;

namespace Amber.Storage.Segments;

/// <summary>
/// Re-encodes one sealed segment into a new sealed file (segment.md §14): every commit frame decoded and compressed
/// again at a higher zstd level (with the dictionary it named, if any), every other frame copied as it is, in the same
/// order. A frame that does not get smaller is copied too. The old file is read whole and its footer hash checked
/// first, so damage is never re-sealed as if it were good data; each new frame is decoded back and compared before it
/// is written. Nothing here touches the index or the old file: <see cref="Archive"/> swaps them.
/// </summary>
internal static class SegmentCompactor
{
    /// <summary>The suffix of the file a compaction writes; a writer deletes leftovers on open like every <c>.tmp</c>.</summary>
    public const string TempSuffix = ".compact.tmp";

    public static SegmentRewrite Rewrite(SegmentStore store, uint number, int level, bool pack, Action<long>? progress = null)
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
        var moves = new List<FrameMove>();
        using var oldHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var newHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var compression = new Compression(store.SnapshotDictionaries());
        using var check = new Compression(store.SnapshotDictionaries());
        var compressors = new Dictionary<uint, Compressor>();
        try
        {
            using var output = fs.OpenWrite(tmp, create: true);
            output.SetLength(0);
            var newHeader = new byte[SegmentHeader.Size];
            (header with { Version = SegmentHeader.CurrentVersion, MinReaderVersion = SegmentHeader.CurrentVersion, CompactionLevel = (byte)level }).Write(newHeader);
            output.Write(0, newHeader);
            oldHash.AppendData(headerBytes);
            newHash.AppendData(newHeader);
            long pos = SegmentHeader.Size, at = SegmentHeader.Size;
            SegmentFooter? footer = null;
            uint frames = 0;
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
                var rewritten = Reencode(frame, level, pack, compression, check, compressors, name, pos);
                output.Write(at, rewritten);
                newHash.AppendData(rewritten);
                moves.Add(new FrameMove(pos, frame.Length, at, rewritten.Length));
                pos = step.Next;
                at += rewritten.Length;
                frames++;
                progress?.Invoke(pos);
            }

            if (!oldHash.GetHashAndReset().AsSpan().SequenceEqual(footer.Sha256) || footer.FrameCount != frames)
            {
                throw new CorruptArchiveException($"{name}: the footer's SHA-256 or frame count does not match the segment's bytes; it is not compacted (run `amber verify`).");
            }

            var sha = newHash.GetHashAndReset();
            var footerBytes = new byte[SegmentFooter.Size];
            new SegmentFooter(at, frames, sha).Write(footerBytes);
            output.Write(at, footerBytes);
            output.Sync();
            return new SegmentRewrite(number, tmp, old.Length, at + SegmentFooter.Size, sha, moves);
        }
        catch
        {
            if (fs.FileExists(tmp))
            {
                fs.Delete(tmp);
            }

            throw;
        }
        finally
        {
            foreach (var c in compressors.Values)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>A commit frame compressed again at <paramref name="level"/>, or the frame itself when that is not smaller.</summary>
    private static byte[] Reencode(byte[] frame, int level, bool pack, Compression compression, Compression check, Dictionary<uint, Compressor> compressors, string name, long offset)
    {
        var header = RecordFrame.ReadHeader(frame);
        if (header.Kind != FrameKind.Commit)
        {
            return frame; // dictionaries and log checkpoints are kept byte for byte
        }

        byte[] decoded;
        try
        {
            decoded = compression.Decode(header, RecordFrame.Payload(frame));
        }
        catch (FormatException e)
        {
            throw new CorruptArchiveException($"{name} at offset {offset}: the commit's checksum holds but its content cannot be decoded: {e.Message}", e);
        }

        var packed = pack ? Packer.TryPack(decoded) : null;
        var dictId = header.NeedsDictionary ? header.DictionaryId : 0u;
        var codec = (packed is null, dictId != 0) switch
        {
            (true, false) => Codec.Zstd,
            (true, true) => Codec.ZstdDictionary,
            (false, false) => Codec.PackedZstd,
            (false, true) => Codec.PackedZstdDictionary,
        };
        if (!compressors.TryGetValue(dictId, out var c))
        {
            c = new Compressor(level);
            if (dictId != 0)
            {
                c.LoadDictionary(compression.DictionaryOf(dictId));
            }

            compressors[dictId] = c;
        }

        var candidate = RecordFrame.Encode(FrameKind.Commit, codec, dictId, decoded.Length, c.Wrap(packed ?? decoded).ToArray());
        if (candidate.Length >= frame.Length)
        {
            return frame;
        }

        // The new frame must decode to the very payload the index and the log were made from.
        var back = check.Decode(RecordFrame.ReadHeader(candidate), RecordFrame.Payload(candidate));
        if (!back.AsSpan().SequenceEqual(decoded))
        {
            throw new InvalidOperationException($"{name} at offset {offset}: the re-encoded commit does not decode to the same bytes; nothing was changed.");
        }

        return candidate;
    }
}

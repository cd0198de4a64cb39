using System.Buffers.Binary;
using Amber.Fuzz.Engine;
using Amber.Import;
using Amber.Import.Formats;
using Amber.Storage;
using Amber.Storage.Catalogue;
using Amber.Storage.Format;

namespace Amber.Fuzz.Targets;

/// <summary>
/// The segment reader: header, frame scan, dictionary frames, commit decoding (zstd, packed streams, entries, the info
/// record). Seeds are segments a real archive wrote, plus the same frames stored uncompressed so mutants reach the
/// entry decoder. Half the mutants get their frame checksums recomputed, so the layers behind the CRC are fuzzed
/// too. The documented errors are <see cref="CorruptArchiveException"/> and the decode layer's
/// <see cref="FormatException"/> and JSON errors (which the catalogue wraps into the former).
/// </summary>
public sealed class SegmentTarget : IFuzzTarget
{
    public SegmentTarget()
    {
        Seeds = MakeSeeds();
    }

    public string Name => "segment";

    public IReadOnlyList<byte[]> Seeds { get; }

    public Verdict Run(byte[] input)
    {
        if (input.Length % 2 == 0)
        {
            FixChecksums(input);
        }

        try
        {
            Read(input);
            return Verdict.Accepted;
        }
        catch (Exception e) when (e is CorruptArchiveException or FormatException or System.Text.Json.JsonException)
        {
            return Verdict.Rejected;
        }
    }

    private static void Read(byte[] segment)
    {
        SegmentHeader.Parse(segment, "seg-000001.amb");
        using var file = new MemoryStorageFile(segment);
        using var compression = new Compression([]);
        long offset = SegmentHeader.Size;
        while (true)
        {
            var step = SegmentScanner.Read(file, offset, file.Length, "seg-000001.amb");
            if (step.Kind != SegmentScanner.StepKind.Frame)
            {
                return;
            }

            var frame = step.Bytes!;
            var header = RecordFrame.ReadHeader(frame);
            var payload = RecordFrame.Payload(frame);
            switch (header.Kind)
            {
                case FrameKind.Dictionary:
                    var (_, dictionary) = Compression.DecodeDictionaryPayload(payload);
                    compression.AddDictionary(Compression.DictionaryIdOf(dictionary), dictionary);
                    break;
                case FrameKind.Commit:
                    var commit = ArchiveCatalogue.DecodeCommit(1, offset, frame.Length, compression.Decode(header, payload));
                    _ = commit.Info.ToJsonString();
                    break;
            }

            offset = step.Next;
        }
    }

    public void Dispose()
    {
    }

    /// <summary>Rewrites each frame's CRC and trailing length where its leading length fits, so the mutation inside survives the check.</summary>
    private static void FixChecksums(byte[] segment)
    {
        long offset = SegmentHeader.Size;
        while (offset + RecordFrame.Overhead <= segment.Length)
        {
            if (RecordFrame.ReadBodyLength(segment.AsSpan((int)offset)) is not int n || offset + n + 12 > segment.Length)
            {
                return;
            }

            var at = (int)offset;
            BinaryPrimitives.WriteUInt32LittleEndian(segment.AsSpan(at + 4 + n), Crc32C.Compute(segment.AsSpan(at + 4, n)));
            BinaryPrimitives.WriteUInt32LittleEndian(segment.AsSpan(at + 8 + n), (uint)n);
            offset += n + 12;
        }
    }

    private static List<byte[]> MakeSeeds()
    {
        using var scratch = new ScratchArchive("segment-seed");
        var input = Path.Combine(scratch.Folder, "sharegpt.json");
        File.WriteAllText(input, """[{"id":"a","conversations":[{"from":"human","value":"hi"},{"from":"gpt","value":"hello"}]},{"id":"b","conversations":[{"from":"human","value":"why"},{"from":"gpt","value":"because"}]}]""");
        var summary = new Importer(scratch.Archive, FormatRegistry.All, new ImportOptions()).Run([input]);
        if (summary.Errors.Count > 0)
        {
            throw new InvalidOperationException("segment seed: " + summary.Errors[0]);
        }

        var segments = Path.Combine(scratch.Folder, "archive", "segments");
        var packed = File.ReadAllBytes(Directory.EnumerateFiles(segments, "*.amb").Order(StringComparer.Ordinal).First());
        return [packed, Uncompressed(packed)];
    }

    /// <summary>The same segment with every commit frame stored with codec None.</summary>
    private static byte[] Uncompressed(byte[] segment)
    {
        using var compression = new Compression([]);
        var output = new List<byte>(segment.AsSpan(0, SegmentHeader.Size).ToArray());
        using var file = new MemoryStorageFile(segment);
        long offset = SegmentHeader.Size;
        while (SegmentScanner.Read(file, offset, file.Length, "seed") is { Kind: SegmentScanner.StepKind.Frame } step)
        {
            var header = RecordFrame.ReadHeader(step.Bytes);
            var frame = header.Kind == FrameKind.Commit
                ? RecordFrame.Encode(FrameKind.Commit, Codec.None, 0, header.UncompressedLength, compression.Decode(header, RecordFrame.Payload(step.Bytes)))
                : step.Bytes!;
            output.AddRange(frame);
            offset = step.Next;
        }

        return [.. output];
    }
}

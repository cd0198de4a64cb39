using Amber.Storage.Format;
using Amber.Storage.Format.Packing;
using ZstdSharp;

namespace Amber.Storage.Segments;

/// <summary>
/// A compaction's decoding and encoding of commit frames: decodes with the dictionaries the segment's frames name, and
/// encodes at the compaction's level, each new frame decoded back and compared before anyone writes it.
/// </summary>
internal sealed class RewriteCodecs(Dictionary<uint, byte[]> dictionaries, int level, bool pack) : IDisposable
{
    private readonly Compression compression = new(dictionaries);
    private readonly Compression check = new(dictionaries);
    private readonly Dictionary<uint, Compressor> compressors = [];

    public byte[] Decode(byte[] frame, string name, long offset)
    {
        try
        {
            return compression.Decode(RecordFrame.ReadHeader(frame), RecordFrame.Payload(frame));
        }
        catch (FormatException e)
        {
            throw new CorruptArchiveException($"{name} at offset {offset}: the commit's checksum holds but its content cannot be decoded: {e.Message}", e);
        }
    }

    /// <summary>A commit frame compressed again with the dictionary it named, or the frame itself when that is not smaller.</summary>
    public byte[] Reencode(byte[] frame, byte[] decoded, string name, long offset)
    {
        var header = RecordFrame.ReadHeader(frame);
        var candidate = Encode(FrameKind.Commit, decoded, header.NeedsDictionary ? header.DictionaryId : 0u, name, offset);
        return candidate.Length >= frame.Length ? frame : candidate;
    }

    /// <summary>A new frame of <paramref name="kind"/> holding <paramref name="decoded"/>, packed when it packs.</summary>
    public byte[] Encode(FrameKind kind, byte[] decoded, uint dictId, string name, long offset)
    {
        var packed = pack ? Packer.TryPack(decoded) : null;
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

        var candidate = RecordFrame.Encode(kind, codec, dictId, decoded.Length, c.Wrap(packed ?? decoded).ToArray());

        // The new frame must decode to the very payload the index and the log were made from.
        var back = check.Decode(RecordFrame.ReadHeader(candidate), RecordFrame.Payload(candidate));
        if (!back.AsSpan().SequenceEqual(decoded))
        {
            throw new InvalidOperationException($"{name} at offset {offset}: the re-encoded commit does not decode to the same bytes; nothing was changed.");
        }

        return candidate;
    }

    public void Dispose()
    {
        compression.Dispose();
        check.Dispose();
        foreach (var c in compressors.Values)
        {
            c.Dispose();
        }
    }
}

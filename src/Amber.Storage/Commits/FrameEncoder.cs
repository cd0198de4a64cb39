using Amber.Storage.Format;
using Amber.Storage.Format.Packing;
using Amber.Storage.Segments;
using ZstdSharp;

namespace Amber.Storage.Commits;

/// <summary>
/// The compress step of the commit pipeline: packs a commit payload and compresses it into a record frame, with the
/// zstd dictionary of its kind, which it trains from the first commits of that kind. Writer thread only.
/// </summary>
internal sealed class FrameEncoder : IDisposable
{
    private readonly ArchiveOptions options;
    private readonly SegmentStore segments;
    private readonly Dictionary<string, List<byte[]>> samples = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> sampleBytes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> trainingRetryAt = new(StringComparer.Ordinal);
    private readonly Dictionary<int, Compressor> compressors = [];

    public FrameEncoder(ArchiveOptions options, SegmentStore segments)
    {
        this.options = options;
        this.segments = segments;
        Compression = new Compression(segments.SnapshotDictionaries(), segments.ContentKeys);
    }

    /// <summary>The dictionaries this writer knows, for decoding what it wrote.</summary>
    public Compression Compression { get; }

    /// <summary>
    /// Packs a commit payload (record-frame.md §10) and compresses it with its kind's dictionary, training one
    /// first once enough samples exist. A payload that does not pack is stored as it is (codec 1 or 2).
    /// </summary>
    public (byte[] Frame, byte[]? DictionaryFrame) Encode(string kind, byte[] decoded)
    {
        var packed = options.PackFrames ? Packer.TryPack(decoded) : null;
        var stream = packed ?? decoded;
        byte[]? dictFrame = null;
        if (!segments.TryGetDictionaryFor(kind, out _, out _))
        {
            dictFrame = CollectAndMaybeTrain(kind, stream);
        }

        var level = options.CompressionLevel;
        if (segments.TryGetDictionaryFor(kind, out var dictId, out var dictionary))
        {
            var c = CompressorFor(dictId, level, dictionary);
            var compressed = c.Wrap(stream).ToArray();
            var codec = packed is null ? Codec.ZstdDictionary : Codec.PackedZstdDictionary;
            return (RecordFrame.Encode(FrameKind.Commit, codec, dictId, decoded.Length, compressed), dictFrame);
        }

        var plain = CompressorFor(0, level, null);
        return (RecordFrame.Encode(FrameKind.Commit, packed is null ? Codec.Zstd : Codec.PackedZstd, 0, decoded.Length, plain.Wrap(stream).ToArray()), dictFrame);
    }

    /// <summary>
    /// An encrypted archive's commit frame (codec 5, encryption.md §5): [0, <paramref name="clearLength"/>) of
    /// <paramref name="decoded"/> stays in the clear, each range becomes its conversation's encrypted block. No trained
    /// dictionary: one would hold fragments of content and outlive a shred.
    /// </summary>
    public byte[] EncodeSealed(byte[] decoded, int clearLength, IReadOnlyList<(string Conversation, int Start, int Length)> blocks, string? tenant)
    {
        var keys = segments.ContentKeys ?? throw new InvalidOperationException("an encrypted commit needs the archive's content keys.");
        var payload = SealedBlocks.Encode(decoded, clearLength, blocks, tenant, keys, CompressorFor(0, options.CompressionLevel, null));
        return RecordFrame.Encode(FrameKind.Commit, Codec.SealedBlocks, 0, decoded.Length, payload);
    }

    private Compressor CompressorFor(uint dictId, int level, byte[]? dictionary)
    {
        var key = (int)dictId;
        if (!compressors.TryGetValue(key, out var c))
        {
            c = new Compressor(level);
            if (dictionary is not null)
            {
                c.LoadDictionary(dictionary);
            }

            compressors[key] = c;
        }

        return c;
    }

    /// <summary>At most this much of one commit's payload goes into a dictionary's training samples.</summary>
    private const int MaxSampleBytes = 16 << 10;

    /// <summary>Samples are what gets compressed: packed streams where packing applies.</summary>
    private byte[]? CollectAndMaybeTrain(string kind, byte[] decoded)
    {
        if (!samples.TryGetValue(kind, out var list))
        {
            samples[kind] = list = [];
        }

        var total = sampleBytes.GetValueOrDefault(kind);
        if (total < 16L << 20)
        {
            // A payload's first bytes carry what a dictionary is made of (member names, the record's framing); a
            // whole 300 KB conversation adds little to it and makes training take hundreds of milliseconds.
            var sample = decoded.Length > MaxSampleBytes ? decoded[..MaxSampleBytes] : decoded;
            list.Add(sample);
            sampleBytes[kind] = total += sample.Length;
        }

        var needed = Math.Max(options.DictionaryTrainingCommits, trainingRetryAt.GetValueOrDefault(kind));
        if (list.Count < needed || total < options.DictionaryTrainingBytes)
        {
            return null;
        }

        byte[] dict;
        try
        {
            dict = DictBuilder.TrainFromBuffer(list, options.DictionarySize).ToArray();
        }
        catch (ZstdException)
        {
            // Too little variety to train on; try again once twice as many samples exist.
            options.Log?.Invoke($"zstd dictionary training for \"{kind}\" did not converge on {list.Count} samples; will retry");
            trainingRetryAt[kind] = list.Count * 2;
            return null;
        }

        var id = Compression.DictionaryIdOf(dict);
        samples.Remove(kind);
        sampleBytes.Remove(kind);
        var existing = segments.SnapshotDictionaries().GetValueOrDefault(id);
        if (existing is not null && !existing.AsSpan().SequenceEqual(dict))
        {
            // Two different dictionaries with one 32-bit id: never let the second shadow the first.
            trainingRetryAt[kind] = int.MaxValue;
            return null;
        }

        var known = existing is not null;
        segments.AddDictionary(id, kind, dict);
        Compression.AddDictionary(id, dict);
        if (known)
        {
            return null;
        }

        return RecordFrame.Encode(FrameKind.Dictionary, Codec.None, 0, 0, Compression.EncodeDictionaryPayload(kind, dict));
    }

    public void Dispose()
    {
        Compression.Dispose();
        foreach (var c in compressors.Values)
        {
            c.Dispose();
        }
    }
}

using System.Buffers.Binary;
using Amber.Storage.Format;
using Amber.Storage.Format.Packing;
using ZstdSharp;

namespace Amber.Storage;

/// <summary>
/// zstd for commit frames, with one trained dictionary per commit kind once enough commits of that kind
/// exist. A dictionary lives in its own frame before the first frame that uses it, and is never removed.
/// Not thread-safe: the writer and each reader use their own instance.
/// </summary>
internal sealed class Compression : IDisposable
{
    private const uint DictionaryMagic = 0xEC30A437;
    private readonly Dictionary<uint, byte[]> dictionaries;
    private readonly Dictionary<uint, Decompressor> decompressors = [];
    private Decompressor? plain;

    private readonly Keys.ContentKeys? keys;

    /// <param name="dictionaries">The archive's zstd dictionaries by id.</param>
    /// <param name="keys">An encrypted archive's data keys (codec 5); null reads its conversations' blocks as locked.</param>
    public Compression(Dictionary<uint, byte[]> dictionaries, Keys.ContentKeys? keys = null)
    {
        this.dictionaries = dictionaries;
        this.keys = keys;
    }

    public static uint DictionaryIdOf(ReadOnlySpan<byte> dictionary)
    {
        if (dictionary.Length < 8 || BinaryPrimitives.ReadUInt32LittleEndian(dictionary) != DictionaryMagic)
        {
            throw new FormatException("not a zstd dictionary (bad magic).");
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(dictionary[4..]);
    }

    /// <summary>Payload of a dictionary frame: u16 label length | label (UTF-8) | dictionary bytes.</summary>
    public static byte[] EncodeDictionaryPayload(string label, ReadOnlySpan<byte> dictionary)
    {
        var l = System.Text.Encoding.UTF8.GetBytes(label);
        var p = new byte[2 + l.Length + dictionary.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(p, (ushort)l.Length);
        l.CopyTo(p, 2);
        dictionary.CopyTo(p.AsSpan(2 + l.Length));
        return p;
    }

    public static (string Label, byte[] Dictionary) DecodeDictionaryPayload(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2)
        {
            throw new FormatException("dictionary frame payload too short.");
        }

        var len = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        if (payload.Length < 2 + len + 8)
        {
            throw new FormatException("dictionary frame payload too short for its label and dictionary.");
        }

        return (System.Text.Encoding.UTF8.GetString(payload.Slice(2, len)), payload[(2 + len)..].ToArray());
    }

    public void AddDictionary(uint id, byte[] dictionary) => dictionaries[id] = dictionary;

    public bool HasDictionary(uint id) => dictionaries.ContainsKey(id);

    /// <summary>The dictionary with this id (compaction compresses a frame again with the dictionary it named).</summary>
    public byte[] DictionaryOf(uint id)
        => dictionaries.TryGetValue(id, out var d) ? d : throw new FormatException($"frame needs zstd dictionary {id}, which the archive does not hold.");

    public static byte[] Compress(ReadOnlySpan<byte> data, int level, byte[]? dictionary)
    {
        using var c = new Compressor(level);
        if (dictionary is not null)
        {
            c.LoadDictionary(dictionary);
        }

        return c.Wrap(data).ToArray();
    }

    /// <summary>Decodes a frame's payload into its uncompressed bytes.</summary>
    public byte[] Decode(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        switch (header.Codec)
        {
            case Codec.None:
                return payload.ToArray();
            case Codec.Zstd:
                plain ??= new Decompressor();
                return Unwrap(plain, header, payload);
            case Codec.ZstdDictionary:
                return Unwrap(WithDictionary(header.DictionaryId), header, payload);
            case Codec.PackedZstd:
                plain ??= new Decompressor();
                return Unpack(plain, header, payload);
            case Codec.PackedZstdDictionary:
                return Unpack(WithDictionary(header.DictionaryId), header, payload);
            case Codec.SealedBlocks:
                plain ??= new Decompressor();
                return SealedBlocks.Decode(header, payload, keys, plain);
            default:
                throw new FormatException($"unknown codec {header.Codec}.");
        }
    }

    private Decompressor WithDictionary(uint id)
    {
        if (!decompressors.TryGetValue(id, out var d))
        {
            if (!dictionaries.TryGetValue(id, out var dict))
            {
                throw new FormatException($"frame needs zstd dictionary {id}, which the archive does not hold.");
            }

            d = new Decompressor();
            d.LoadDictionary(dict);
            decompressors[id] = d;
        }

        return d;
    }

    /// <summary>Codecs 3 and 4: the zstd frame holds a packed stream no longer than the payload it unpacks to.</summary>
    private static byte[] Unpack(Decompressor d, FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.UncompressedLength is < 0 or > RecordFrame.MaxBodyLength)
        {
            throw new FormatException($"uncompressed length {header.UncompressedLength} is outside 0..{RecordFrame.MaxBodyLength}.");
        }

        var packed = new byte[header.UncompressedLength];
        int written;
        try
        {
            written = d.Unwrap(payload, packed);
        }
        catch (ZstdException e)
        {
            throw new FormatException($"zstd: {e.Message} (a packed stream is never longer than the {header.UncompressedLength} bytes it unpacks to)", e);
        }

        return Unpacker.Unpack(written == packed.Length ? packed : packed[..written], header.UncompressedLength);
    }

    private static byte[] Unwrap(Decompressor d, FrameHeader header, ReadOnlySpan<byte> payload)
    {
        var output = new byte[header.UncompressedLength];
        int written;
        try
        {
            written = d.Unwrap(payload, output);
        }
        catch (ZstdException e)
        {
            throw new FormatException($"zstd: {e.Message}", e);
        }

        if (written != header.UncompressedLength)
        {
            throw new FormatException($"zstd produced {written} bytes, the frame header says {header.UncompressedLength}.");
        }

        return output;
    }

    public void Dispose()
    {
        plain?.Dispose();
        foreach (var d in decompressors.Values)
        {
            d.Dispose();
        }
    }
}

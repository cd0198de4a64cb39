using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Amber.Revive.LlamaSharp.Gguf;

/// <summary>
/// Reads the metadata section of a GGUF file (header and key/value pairs, not tensors), keeping each
/// value's exact bytes so the tokenizer and chat template can be named by digest.
/// </summary>
public sealed class GgufMetadata
{
    private const uint Magic = 0x46554747; // "GGUF" little-endian
    private const ulong MaxCount = 1 << 24;

    private GgufMetadata(uint version, ulong tensorCount, IReadOnlyList<GgufEntry> entries)
    {
        Version = version;
        TensorCount = tensorCount;
        Entries = entries;
    }

    public uint Version { get; }

    public ulong TensorCount { get; }

    public IReadOnlyList<GgufEntry> Entries { get; }

    public GgufEntry? this[string key] => Entries.FirstOrDefault(e => e.Key == key);

    public static GgufMetadata Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return Read(stream);
        }
        catch (EndOfStreamException)
        {
            throw new FormatException($"{path}: the GGUF metadata is truncated.");
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    public static GgufMetadata Read(Stream stream)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (r.ReadUInt32() != Magic)
        {
            throw new FormatException("not a GGUF file (bad magic).");
        }

        var version = r.ReadUInt32();
        if (version is < 2 or > 3)
        {
            throw new FormatException($"GGUF version {version} is not supported (2 or 3).");
        }

        var tensors = r.ReadUInt64();
        var count = r.ReadUInt64();
        if (count > MaxCount)
        {
            throw new FormatException($"GGUF declares {count} metadata keys.");
        }

        var entries = new List<GgufEntry>((int)count);
        for (ulong i = 0; i < count; i++)
        {
            var key = Encoding.UTF8.GetString(ReadBytes(r, r.ReadUInt64()));
            var type = (GgufValueType)r.ReadUInt32();
            using var raw = new MemoryStream();
            using (var w = new BinaryWriter(raw, Encoding.UTF8, leaveOpen: true))
            {
                CopyValue(r, w, type);
            }

            entries.Add(new GgufEntry(key, type, raw.ToArray()));
        }

        return new GgufMetadata(version, tensors, entries);
    }

    /// <summary>
    /// sha256 over the tokenizer: every <c>tokenizer.*</c> key except the chat template, in key order,
    /// each as key length (u64 LE), key bytes, value type (u32 LE), value bytes as stored in the file.
    /// </summary>
    public string TokenizerSha256()
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> n = stackalloc byte[8];
        foreach (var e in Entries.Where(e => e.Key.StartsWith("tokenizer.", StringComparison.Ordinal) && e.Key != ChatTemplates.MetadataKey).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var key = Encoding.UTF8.GetBytes(e.Key);
            BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)key.Length);
            h.AppendData(n);
            h.AppendData(key);
            BinaryPrimitives.WriteUInt32LittleEndian(n, (uint)e.Type);
            h.AppendData(n[..4]);
            h.AppendData(e.RawValue);
        }

        return "sha256:" + Convert.ToHexStringLower(h.GetHashAndReset());
    }

    private static void CopyValue(BinaryReader r, BinaryWriter w, GgufValueType type)
    {
        switch (type)
        {
            case GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool:
                w.Write(r.ReadByte());
                break;
            case GgufValueType.UInt16 or GgufValueType.Int16:
                w.Write(r.ReadUInt16());
                break;
            case GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32:
                w.Write(r.ReadUInt32());
                break;
            case GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64:
                w.Write(r.ReadUInt64());
                break;
            case GgufValueType.String:
                var len = r.ReadUInt64();
                w.Write(len);
                w.Write(ReadBytes(r, len));
                break;
            case GgufValueType.Array:
                var inner = (GgufValueType)r.ReadUInt32();
                var count = r.ReadUInt64();
                if (count > 1UL << 32)
                {
                    throw new FormatException($"a GGUF array declares {count} elements.");
                }

                w.Write((uint)inner);
                w.Write(count);
                for (ulong i = 0; i < count; i++)
                {
                    CopyValue(r, w, inner);
                }

                break;
            default:
                throw new FormatException($"unknown GGUF value type {(uint)type}.");
        }
    }

    private static byte[] ReadBytes(BinaryReader r, ulong length)
    {
        if (length > int.MaxValue)
        {
            throw new FormatException($"a GGUF string declares {length} bytes.");
        }

        var bytes = r.ReadBytes((int)length);
        return bytes.Length == (int)length ? bytes : throw new EndOfStreamException();
    }
}

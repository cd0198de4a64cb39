using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Amber.Core.Crypto;
using Amber.Storage.Format.Packing;
using Amber.Storage.Keys;
using ZstdSharp;

namespace Amber.Storage.Format;

/// <summary>
/// Codec 5, "sealed blocks" (docs/format/encryption.md §5): the payload of a commit frame of an encrypted archive.
/// <code>
/// u32 clear length | u32 clear zstd length | zstd(Info entry and the entries no conversation owns)
/// u32 block count
/// per block: u8 kind = 1 | u8 flags (bit 0: packed; bit 1: key named) | u8 id length | conversation id
///            | [bit 1: u8 key name length | key name] | u32 plaintext length
///            | u32 sealed length | nonce (12) | AES-256-GCM(zstd(packed or plain entries)) | tag (16)
/// AAD = archive id (16) | u8 id length | conversation id | SHA-256 of the Info entry | kind | flags | u32 plaintext length
///       | [bit 1: u8 key name length | key name]
/// </code>
/// A block names its key (bit 1) when it was written under a key made ahead that keys.db did not yet file under the
/// conversation (encryption.md §4.1): the name is that key's keys.db subject (<c>spare:N</c>).
/// Decoding concatenates the clear entries and each block's entries: the same decoded payload the writer indexed, so
/// entry offsets hold. A block whose data key is not available (sealed, shredded, no key provider) decodes to one
/// <see cref="EntryType.Locked"/> entry of the same length, so the offsets of the other blocks still hold.
/// </summary>
internal static class SealedBlocks
{
    public const byte ConversationContent = 1;
    private const byte Packed = 1;
    private const byte Named = 2;

    /// <summary>Encodes <paramref name="decoded"/>: [0, clearLength) in the clear, then one block per range.</summary>
    public static byte[] Encode(byte[] decoded, int clearLength, IReadOnlyList<(string Conversation, int Start, int Length)> blocks, string? tenant, ContentKeys keys, Compressor compressor)
    {
        var info = CommitPayload.Read(decoded.AsMemory(0, clearLength))[0];
        var infoDigest = SHA256.HashData(info.Body.Span);
        var output = new List<byte>(decoded.Length / 3);
        var clear = compressor.Wrap(decoded.AsSpan(0, clearLength));
        AddUInt32(output, (uint)clearLength);
        AddUInt32(output, (uint)clear.Length);
        output.AddRange(clear);
        AddUInt32(output, (uint)blocks.Count);
        foreach (var (conversation, start, length) in blocks)
        {
            var plain = decoded.AsSpan(start, length).ToArray();
            var packed = Packer.TryPack(plain);
            var (key, spare) = keys.ForWriting(conversation, tenant);
            var name = spare is null ? null : Encoding.UTF8.GetBytes(spare);
            var flags = (byte)((packed is null ? 0 : Packed) | (name is null ? 0 : Named));
            var compressed = compressor.Wrap(packed ?? plain);
            var id = Encoding.UTF8.GetBytes(conversation);
            var aad = AssociatedData(keys.ArchiveId, id, infoDigest, flags, length, name);
            using var cipher = new ContentCipher(key, keys.Random);
            var sealedBytes = cipher.Encrypt(compressed, aad);
            output.Add(ConversationContent);
            output.Add(flags);
            output.Add((byte)id.Length);
            output.AddRange(id);
            if (name is not null)
            {
                output.Add((byte)name.Length);
                output.AddRange(name);
            }

            AddUInt32(output, (uint)length);
            AddUInt32(output, (uint)sealedBytes.Length);
            output.AddRange(sealedBytes);
        }

        return [.. output];
    }

    /// <summary>The decoded payload of a codec-5 frame; conversations whose key <paramref name="keys"/> cannot give decode as <see cref="EntryType.Locked"/>.</summary>
    public static byte[] Decode(FrameHeader header, ReadOnlySpan<byte> payload, ContentKeys? keys, Decompressor plain)
    {
        var decoded = new byte[header.UncompressedLength];
        var pos = 0;
        var clearLength = (int)ReadUInt32(payload, ref pos, "clear length");
        var clearZstd = (int)ReadUInt32(payload, ref pos, "clear zstd length");
        if (clearLength < 0 || clearZstd < 0 || clearLength > decoded.Length || clearZstd > payload.Length - pos)
        {
            throw new FormatException($"sealed blocks: the clear part ({clearLength} bytes, {clearZstd} compressed) does not fit the frame.");
        }

        Unwrap(plain, payload.Slice(pos, clearZstd), decoded.AsSpan(0, clearLength), "the clear part");
        pos += clearZstd;
        var info = CommitPayload.Read(decoded.AsMemory(0, clearLength));
        if (info.Count == 0 || info[0].Type != EntryType.Info)
        {
            throw new FormatException("sealed blocks: the clear part does not start with the commit's info entry.");
        }

        var infoDigest = SHA256.HashData(info[0].Body.Span);
        var count = ReadUInt32(payload, ref pos, "block count");
        var at = clearLength;
        for (var b = 0; b < count; b++)
        {
            if (payload.Length - pos < 3)
            {
                throw new FormatException($"sealed blocks: block {b} is cut short.");
            }

            var block = ReadBlockHeader(payload, ref pos, b);
            var (flags, id, name, length, sealedLength) = (block.Flags, block.Id, block.Name, block.Length, block.SealedLength);
            if (length < CommitPayload.EntryHeaderSize || length > decoded.Length - at)
            {
                throw new FormatException($"sealed blocks: block {b} ({length} bytes, {sealedLength} sealed) does not fit the frame.");
            }

            var conversation = Encoding.UTF8.GetString(id);
            var target = decoded.AsSpan(at, length);
            if (keys?.TryForReading(conversation, name is null ? null : Encoding.UTF8.GetString(name)) is { } dataKey)
            {
                using var cipher = new ContentCipher(dataKey, keys.Random);
                var compressed = cipher.Decrypt(payload.Slice(pos, sealedLength), AssociatedData(keys.ArchiveId, id, infoDigest, flags, length, name), $"the content block of conversation {conversation}");
                if ((flags & Packed) == 0)
                {
                    Unwrap(plain, compressed, target, "block of " + conversation);
                }
                else
                {
                    var packed = new byte[length];
                    var written = UnwrapSome(plain, compressed, packed, "block of " + conversation);
                    Unpacker.Unpack(written == length ? packed : packed[..written], length).CopyTo(target);
                }
            }
            else
            {
                Lock(target, id);
            }

            pos += sealedLength;
            at += length;
        }

        if (at != decoded.Length || pos != payload.Length)
        {
            throw new FormatException($"sealed blocks: the parts add up to {at} decoded bytes and {pos} payload bytes, not {decoded.Length} and {payload.Length}.");
        }

        return decoded;
    }

    /// <summary>
    /// The (conversation, key name) of each block of a codec-5 commit frame that names its key (encryption.md §4.1),
    /// read from the block headers alone (no key, no decryption); none for any other frame.
    /// </summary>
    public static IReadOnlyList<(string Conversation, string Spare)> NamedKeys(byte[] frame)
    {
        var header = RecordFrame.ReadHeader(frame);
        if (header.Codec != Codec.SealedBlocks || header.Kind != FrameKind.Commit)
        {
            return [];
        }

        var payload = RecordFrame.Payload(frame);
        var pos = 0;
        _ = ReadUInt32(payload, ref pos, "clear length");
        var clearZstd = ReadUInt32(payload, ref pos, "clear zstd length");
        if (clearZstd > (uint)(payload.Length - pos))
        {
            throw new FormatException($"sealed blocks: the clear part ({clearZstd} compressed bytes) does not fit the frame.");
        }

        pos += (int)clearZstd;
        var count = ReadUInt32(payload, ref pos, "block count");
        List<(string, string)>? named = null;
        for (var b = 0; b < count; b++)
        {
            var block = ReadBlockHeader(payload, ref pos, b);
            if (block.Name is { } name)
            {
                (named ??= []).Add((Encoding.UTF8.GetString(block.Id), Encoding.UTF8.GetString(name)));
            }

            pos += block.SealedLength;
        }

        return named ?? (IReadOnlyList<(string, string)>)[];
    }

    /// <summary>Reads a block's header up to its sealed bytes, which then start at <paramref name="pos"/>.</summary>
    private static (byte Flags, byte[] Id, byte[]? Name, int Length, int SealedLength) ReadBlockHeader(ReadOnlySpan<byte> payload, ref int pos, int b)
    {
        if (payload.Length - pos < 3)
        {
            throw new FormatException($"sealed blocks: block {b} is cut short.");
        }

        var kind = payload[pos];
        var flags = payload[pos + 1];
        var idLength = payload[pos + 2];
        pos += 3;
        if (kind != ConversationContent || flags > (Packed | Named) || idLength == 0 || payload.Length - pos < idLength + 8)
        {
            throw new FormatException($"sealed blocks: block {b} has an unknown kind {kind}, flags {flags} or a damaged header.");
        }

        var id = payload.Slice(pos, idLength).ToArray();
        pos += idLength;
        byte[]? name = null;
        if ((flags & Named) != 0)
        {
            var nameLength = payload[pos];
            if (nameLength == 0 || payload.Length - pos < 1 + nameLength + 8)
            {
                throw new FormatException($"sealed blocks: block {b} names its key with a damaged header.");
            }

            name = payload.Slice(pos + 1, nameLength).ToArray();
            pos += 1 + nameLength;
        }

        var length = (int)ReadUInt32(payload, ref pos, "plaintext length");
        var sealedLength = (int)ReadUInt32(payload, ref pos, "sealed length");
        if (length < 0 || sealedLength < 0 || sealedLength > payload.Length - pos)
        {
            throw new FormatException($"sealed blocks: block {b} ({length} bytes, {sealedLength} sealed) does not fit the frame.");
        }

        return (flags, id, name, length, sealedLength);
    }

    /// <summary>Where the <see cref="EntryType.Locked"/> entries of a decoded codec-5 payload lie, and whose they are.</summary>
    public static IReadOnlyList<(int Start, int End, string Conversation)> LockedRanges(byte[] decoded)
    {
        List<(int, int, string)>? ranges = null;
        foreach (var e in CommitPayload.Read(decoded))
        {
            if (e.Type == EntryType.Locked)
            {
                (ranges ??= []).Add((e.Offset - CommitPayload.EntryHeaderSize, e.Offset + e.Body.Length, LockedConversation(e.Body.Span)));
            }
        }

        return ranges ?? (IReadOnlyList<(int, int, string)>)[];
    }

    /// <summary>The conversation a <see cref="EntryType.Locked"/> entry stands for (its body starts with the id, zero-padded).</summary>
    public static string LockedConversation(ReadOnlySpan<byte> body)
    {
        var end = body.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? body : body[..end]);
    }

    private static void Lock(Span<byte> target, byte[] id)
    {
        target.Clear();
        target[0] = (byte)EntryType.Locked;
        BinaryPrimitives.WriteUInt32LittleEndian(target[1..], (uint)(target.Length - CommitPayload.EntryHeaderSize));
        var body = target[CommitPayload.EntryHeaderSize..];
        id.AsSpan(0, Math.Min(id.Length, body.Length)).CopyTo(body);
    }

    private static byte[] AssociatedData(byte[] archiveId, byte[] id, byte[] infoDigest, byte flags, int length, byte[]? name)
    {
        var aad = new byte[archiveId.Length + 1 + id.Length + infoDigest.Length + 2 + 4 + (name is null ? 0 : 1 + name.Length)];
        var span = aad.AsSpan();
        archiveId.CopyTo(span);
        span = span[archiveId.Length..];
        span[0] = (byte)id.Length;
        id.CopyTo(span[1..]);
        span = span[(1 + id.Length)..];
        infoDigest.CopyTo(span);
        span = span[infoDigest.Length..];
        span[0] = ConversationContent;
        span[1] = flags;
        BinaryPrimitives.WriteUInt32LittleEndian(span[2..], (uint)length);
        if (name is not null)
        {
            span[6] = (byte)name.Length;
            name.CopyTo(span[7..]);
        }

        return aad;
    }

    private static void Unwrap(Decompressor d, ReadOnlySpan<byte> compressed, Span<byte> target, string what)
    {
        var written = UnwrapSome(d, compressed, target, what);
        if (written != target.Length)
        {
            throw new FormatException($"sealed blocks: {what} decompressed to {written} bytes, not {target.Length}.");
        }
    }

    private static int UnwrapSome(Decompressor d, ReadOnlySpan<byte> compressed, Span<byte> target, string what)
    {
        try
        {
            return d.Unwrap(compressed, target);
        }
        catch (ZstdException e)
        {
            throw new FormatException($"sealed blocks: {what}: zstd: {e.Message}", e);
        }
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> payload, ref int pos, string field)
    {
        if (payload.Length - pos < 4)
        {
            throw new FormatException($"sealed blocks: the {field} is cut short.");
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(payload[pos..]);
        pos += 4;
        return value;
    }

    private static void AddUInt32(List<byte> output, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        output.AddRange(b);
    }
}

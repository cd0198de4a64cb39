using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;

namespace Amber.Storage.Format.Packing;

/// <summary>
/// Turns a packed commit stream back into the entry sequence of record-frame.md §6, byte for byte
/// (docs/format/record-frame.md §10). Any stream that breaks a rule throws <see cref="FormatException"/>; the output
/// never grows past the length the frame header promised.
/// </summary>
internal sealed class Unpacker
{
    private readonly byte[] packed;
    private readonly int expectedLength;
    private readonly List<(EntryType Type, int Start, int Length)> entries = [];
    private readonly byte[]?[] bodies;
    private readonly byte[]?[] digests;
    private readonly List<byte[]> sources = [];
    private readonly Dictionary<(int Source, int Offset), int> literals = [];
    private readonly ArrayBufferWriter<byte> scratch = new();
    private long decodedBytes;
    private long literalWork;

    private Unpacker(byte[] packed, int expectedLength)
    {
        this.packed = packed;
        this.expectedLength = expectedLength;
        var pos = 0;
        while (pos < packed.Length)
        {
            var type = (EntryType)packed[pos];
            if (!Enum.IsDefined(type))
            {
                throw new FormatException($"packed stream: entry {entries.Count} at byte {pos} has unknown type {(byte)type}.");
            }

            pos++;
            var len = PackedStream.ReadVarint(packed, ref pos, $"length of entry {entries.Count}");
            if (len > packed.Length - pos)
            {
                throw new FormatException($"packed stream: entry {entries.Count} ({type}) of {len} bytes runs past the end of the stream.");
            }

            if (type == EntryType.ExternalBlob && len != 40)
            {
                throw new FormatException($"packed stream: entry {entries.Count} (ExternalBlob) is {len} bytes, not 40.");
            }

            entries.Add((type, pos, len));
            pos += len;
        }

        bodies = new byte[entries.Count][];
        digests = new byte[entries.Count][];
    }

    /// <summary>Unpacks <paramref name="packed"/>, which must give exactly <paramref name="expectedLength"/> bytes.</summary>
    public static byte[] Unpack(byte[] packed, int expectedLength)
    {
        if (expectedLength is < 0 or > RecordFrame.MaxBodyLength)
        {
            throw new FormatException($"packed stream: unpacked length {expectedLength} is outside 0..{RecordFrame.MaxBodyLength}.");
        }

        if (packed.Length > expectedLength)
        {
            throw new FormatException($"packed stream of {packed.Length} bytes is longer than the {expectedLength} bytes it unpacks to.");
        }

        return new Unpacker(packed, expectedLength).Run();
    }

    private byte[] Run()
    {
        // By rank (PackedStream.Rank), then in order: whatever an entry names is unpacked before it.
        for (var rank = 0; rank <= 2; rank++)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                if (PackedStream.Rank(entries[i].Type) == rank)
                {
                    Expand(i);
                }
            }
        }

        if (decodedBytes != expectedLength)
        {
            throw new FormatException($"packed stream unpacks to {decodedBytes} bytes, the frame header says {expectedLength}.");
        }

        var output = new byte[expectedLength];
        var at = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var body = bodies[i]!;
            output[at] = (byte)entries[i].Type;
            BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(at + 1), (uint)body.Length);
            body.CopyTo(output.AsSpan(at + CommitPayload.EntryHeaderSize));
            at += CommitPayload.EntryHeaderSize + body.Length;
        }

        return output;
    }

    private void Expand(int i)
    {
        var (type, start, length) = entries[i];
        var src = packed.AsSpan(start, length);
        byte[] body;
        switch (type)
        {
            case EntryType.Blob:
                Account(32L + length);
                body = new byte[32 + length];
                SHA256.HashData(src, body);
                src.CopyTo(body.AsSpan(32));
                digests[i] = body[..32];
                break;
            case EntryType.ExternalBlob:
                Account(length);
                body = src.ToArray();
                digests[i] = body[..32];
                break;
            default:
                body = ExpandJson(i, src);
                digests[i] = type switch
                {
                    EntryType.Conversation => ConversationDigest(i, body),
                    EntryType.Membership => MembershipDigest(i, body),
                    EntryType.Info => null,
                    _ => SHA256.HashData(body),
                };
                break;
        }

        bodies[i] = body;
    }

    private void Account(long bytes)
    {
        decodedBytes += bytes + CommitPayload.EntryHeaderSize;
        if (decodedBytes > expectedLength)
        {
            throw new FormatException($"packed stream unpacks to more than the {expectedLength} bytes the frame header says.");
        }
    }

    private byte[] ExpandJson(int i, ReadOnlySpan<byte> src)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(16, src.Length));
        var pos = 0;
        var budget = expectedLength - decodedBytes - CommitPayload.EntryHeaderSize;
        while (pos < src.Length)
        {
            var run = src[pos..].IndexOfAnyInRange((byte)0, (byte)0x1F);
            var runLength = run < 0 ? src.Length - pos : run;
            output.Write(src.Slice(pos, runLength));
            pos += runLength;
            if (pos < src.Length)
            {
                var token = src[pos++];
                switch (token)
                {
                    case PackedStream.IdToken:
                        WriteId(i, PackedStream.ReadVarint(src, ref pos, $"id token in entry {i}"), output);
                        break;
                    case PackedStream.DigestToken:
                        if (src.Length - pos < 32)
                        {
                            throw new FormatException($"packed stream: digest token in entry {i} cut short.");
                        }

                        WriteId(src.Slice(pos, 32), output);
                        pos += 32;
                        break;
                    case PackedStream.NodesDigestToken:
                        var m = PackedStream.ReadVarint(src, ref pos, $"nodes digest token in entry {i}");
                        if (m >= entries.Count || entries[m].Type != EntryType.Membership || !PackedStream.MayName(entries[i].Type, i, EntryType.Membership, m))
                        {
                            throw new FormatException($"packed stream: entry {i} ({entries[i].Type}) takes the nodes digest of entry {m}, which is not a Membership entry it may name.");
                        }

                        WriteId(digests[m]!, output);
                        break;
                    case PackedStream.BlobsDigestToken:
                        if (entries[i].Type != EntryType.Info)
                        {
                            throw new FormatException($"packed stream: entry {i} ({entries[i].Type}) holds a blobs digest token; only Info may.");
                        }

                        WriteId(BlobsDigest(), output);
                        break;
                    case PackedStream.StringToken:
                        WriteString(i, src, ref pos, output, budget - output.WrittenCount);
                        break;
                    default:
                        throw new FormatException($"packed stream: entry {i} holds control byte 0x{token:x2}, which is no token.");
                }
            }

            if (output.WrittenCount > budget)
            {
                throw new FormatException($"packed stream unpacks to more than the {expectedLength} bytes the frame header says.");
            }
        }

        Account(output.WrittenCount);
        return output.WrittenSpan.ToArray();
    }

    private void WriteId(int i, int k, ArrayBufferWriter<byte> output)
    {
        if (k >= entries.Count || !PackedStream.HasId(entries[k].Type))
        {
            throw new FormatException($"packed stream: entry {i} names the id of entry {k}, which {(k >= entries.Count ? "does not exist" : $"is a {entries[k].Type} and has none")}.");
        }

        if (!PackedStream.MayName(entries[i].Type, i, entries[k].Type, k))
        {
            throw new FormatException($"packed stream: entry {i} ({entries[i].Type}) names entry {k} ({entries[k].Type}), which is not unpacked before it (a later entry, or a cycle).");
        }

        WriteId(digests[k]!, output);
    }

    private static void WriteId(ReadOnlySpan<byte> digest, ArrayBufferWriter<byte> output)
    {
        var span = output.GetSpan(PackedStream.IdLength);
        "sha256:"u8.CopyTo(span);
        Convert.TryToHexStringLower(digest, span[7..], out _);
        output.Advance(PackedStream.IdLength);
    }

    /// <summary>A conversation's id is the hash of its identity object (hash-contract.md §5), not of the record.</summary>
    private static byte[] ConversationDigest(int i, byte[] body)
    {
        try
        {
            var record = ConversationRecord.FromJson(JsonNode.Parse(body) as JsonObject ?? throw new FormatException("not a JSON object"));
            return ContentId.ToDigest(record.Id);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new FormatException($"packed stream: entry {i} (Conversation) does not parse as a conversation record: {e.Message}", e);
        }
    }

    /// <summary>The digest Info's <c>nodes_sha256</c> names: the Membership's node ids joined by newlines (log.md §1).</summary>
    private static byte[] MembershipDigest(int i, byte[] body)
    {
        try
        {
            var nodes = (JsonNode.Parse(body) as JsonObject)?["nodes"] as JsonArray ?? throw new FormatException("no \"nodes\" array");
            return ContentId.ToDigest(CommitInfo.NodesDigest(nodes.Select(n => n?.GetValue<string>() ?? throw new FormatException("a null node id"))));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new FormatException($"packed stream: entry {i} (Membership) does not parse: {e.Message}", e);
        }
    }

    private byte[] BlobsDigest()
    {
        var ids = new List<string>();
        for (var k = 0; k < entries.Count; k++)
        {
            if (entries[k].Type is EntryType.Blob or EntryType.ExternalBlob)
            {
                ids.Add(ContentId.Format(digests[k]!));
            }
        }

        return ContentId.ToDigest(CommitInfo.NodesDigest(ids));
    }

    private void WriteString(int i, ReadOnlySpan<byte> src, ref int pos, ArrayBufferWriter<byte> output, long budget)
    {
        var k = PackedStream.ReadVarint(src, ref pos, $"string token in entry {i}");
        if (k >= entries.Count || entries[k].Type != EntryType.Blob)
        {
            throw new FormatException($"packed stream: a string token in entry {i} names entry {k}, which is not a Blob entry of this frame.");
        }

        var depth = PackedStream.ReadVarint(src, ref pos, $"string token in entry {i}");
        if (depth is < 1 or > PackedStream.MaxDepth)
        {
            throw new FormatException($"packed stream: a string token in entry {i} is {depth} literals deep; 1..{PackedStream.MaxDepth} are allowed.");
        }

        var source = SourceOfBlob(k);
        for (var d = 0; d < depth; d++)
        {
            var offset = PackedStream.ReadVarint(src, ref pos, $"string token in entry {i}");
            source = Literal(source, offset, i);
        }

        var bytes = sources[source];
        var start = PackedStream.ReadVarint(src, ref pos, $"string token in entry {i}");
        var length = PackedStream.ReadVarint(src, ref pos, $"string token in entry {i}");
        if ((long)start + length > bytes.Length)
        {
            throw new FormatException($"packed stream: a string token in entry {i} takes bytes {start}..{(long)start + length} of a {bytes.Length}-byte literal.");
        }

        var slice = bytes.AsSpan(start, length);
        if (JsonLiteral.CanonicalLength(slice) > budget)
        {
            throw new FormatException($"packed stream unpacks to more than the {expectedLength} bytes the frame header says.");
        }

        JsonLiteral.WriteCanonical(slice, output);
    }

    private int SourceOfBlob(int k)
    {
        if (!literals.TryGetValue((-1 - k, 0), out var s))
        {
            s = sources.Count;
            sources.Add(packed.AsSpan(entries[k].Start, entries[k].Length).ToArray());
            literals[(-1 - k, 0)] = s;
        }

        return s;
    }

    private int Literal(int source, int offset, int i)
    {
        if (literals.TryGetValue((source, offset), out var s))
        {
            return s;
        }

        var bytes = sources[source];
        if (offset >= bytes.Length)
        {
            throw new FormatException($"packed stream: a string token in entry {i} points at byte {offset} of a {bytes.Length}-byte source.");
        }

        scratch.ResetWrittenCount();
        if (!JsonLiteral.TryDecode(bytes, offset, scratch, out var end))
        {
            throw new FormatException($"packed stream: a string token in entry {i} points at byte {offset}, where no JSON string literal parses.");
        }

        // Decoding is the one cost not bounded by the output: cap it, so a crafted stream cannot make it quadratic.
        literalWork += end - offset;
        if (literalWork > ((PackedStream.MaxDepth + 1) * (long)expectedLength) + (16 << 20))
        {
            throw new FormatException("packed stream: its string tokens decode far more literal bytes than the frame holds.");
        }

        s = sources.Count;
        sources.Add(scratch.WrittenSpan.ToArray());
        literals[(source, offset)] = s;
        return s;
    }
}

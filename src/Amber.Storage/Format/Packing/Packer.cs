using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;

namespace Amber.Storage.Format.Packing;

/// <summary>
/// Packs a commit's entry sequence (record-frame.md §6) into the packed stream of codecs 3 and 4 (§10): blob digests
/// dropped, ids of this frame's entries and string values found in its blobs replaced by tokens. The result is only
/// returned if it is shorter; otherwise the caller stores the frame unpacked.
/// <para>
/// Exact by construction (record-frame.md §10.5): a token is written only where the unpacker's expansion of it is the
/// very bytes it replaces (an id token names an entry whose digest the unpacker computes by the same rule, a string
/// token's canonical form is compared with the literal's contents), and a payload the unpacker would read differently
/// (a blob whose digest is not its bytes' SHA-256, a record that does not parse, an entry type it expands otherwise)
/// is not packed. The unpack-and-compare that once followed every pack cost a fifth of the writer's time
/// (BENCHMARKS §35); tests and <c>verify</c> still unpack.
/// </para>
/// </summary>
internal static class Packer
{
    /// <summary>The packed stream, or null when this payload is not packable or packing would not make it shorter.</summary>
    public static byte[]? TryPack(byte[] decoded)
    {
        List<CommitPayload.Entry> entries;
        try
        {
            entries = CommitPayload.Read(decoded);
        }
        catch (FormatException)
        {
            return null;
        }

        var names = new Names();
        var literals = new LiteralIndex();
        var blobIds = new List<string>();
        for (var k = 0; k < entries.Count; k++)
        {
            var (type, _, body) = entries[k];
            if (!Packable(type, body.Span))
            {
                return null;
            }

            var id = type switch
            {
                EntryType.Blob or EntryType.ExternalBlob => ContentId.Format(body.Span[..32]),
                EntryType.Conversation => ConversationId(body.Span),
                EntryType.Membership => MembershipDigest(body.Span),
                EntryType.Info => null,
                _ => ContentId.Of(body.Span),
            };
            if (id is null && type is EntryType.Conversation or EntryType.Membership)
            {
                return null; // the unpacker computes its digest and would fail on it
            }

            if (id is not null)
            {
                (type == EntryType.Membership ? names.Memberships : names.Ids).TryAdd(id[7..], k);
            }

            if (type is EntryType.Blob or EntryType.ExternalBlob)
            {
                blobIds.Add(id!);
            }

            if (type == EntryType.Blob)
            {
                literals.AddBlob(k, body[32..]);
            }
        }

        names.Blobs = CommitInfo.NodesDigest(blobIds)[7..];
        names.Types = entries.Select(e => e.Type).ToArray();

        var output = new ArrayBufferWriter<byte>(decoded.Length / 2 + 64);
        var json = new ArrayBufferWriter<byte>();
        var value = new ArrayBufferWriter<byte>();
        for (var i = 0; i < entries.Count; i++)
        {
            var (type, _, body) = entries[i];
            ReadOnlySpan<byte> packedBody;
            if (type == EntryType.Blob)
            {
                packedBody = body.Span[32..];
            }
            else if (!PackedStream.IsJson(type))
            {
                packedBody = body.Span;
            }
            else
            {
                json.ResetWrittenCount();
                if (!PackJson(i, body.Span, names, literals, json, value))
                {
                    return null;
                }

                packedBody = json.WrittenSpan;
            }

            output.Write([(byte)type]);
            PackedStream.WriteVarint(output, (uint)packedBody.Length);
            output.Write(packedBody);
        }

        return output.WrittenCount < decoded.Length ? output.WrittenSpan.ToArray() : null;
    }

    /// <summary>
    /// False for an entry the unpacker would not give back as it is: a blob whose first 32 bytes are not the SHA-256 of
    /// the rest (the unpacker recomputes them), an external blob reference that is not 40 bytes, and a Locked entry
    /// (never written; the unpacker would read its body as JSON with tokens).
    /// </summary>
    private static bool Packable(EntryType type, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case EntryType.Blob:
                if (body.Length < 32)
                {
                    return false;
                }

                Span<byte> digest = stackalloc byte[32];
                System.Security.Cryptography.SHA256.HashData(body[32..], digest);
                return digest.SequenceEqual(body[..32]);
            case EntryType.ExternalBlob:
                return body.Length == 40;
            default:
                return PackedStream.IsJson(type);
        }
    }

    private static bool PackJson(int i, ReadOnlySpan<byte> body, Names names, LiteralIndex literals, ArrayBufferWriter<byte> output, ArrayBufferWriter<byte> value)
    {
        if (body.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0)
        {
            return false; // not canonical JSON: control bytes are the packed stream's tokens
        }

        var pos = 0;
        while (pos < body.Length)
        {
            var q = body[pos..].IndexOf((byte)'"');
            if (q < 0)
            {
                output.Write(body[pos..]);
                break;
            }

            output.Write(body.Slice(pos, q + 1));
            var open = pos + q;
            var close = EndOfLiteral(body, open);
            if (close < 0)
            {
                return false;
            }

            var contents = body[(open + 1)..close];
            var isKey = close + 1 < body.Length && body[close + 1] == (byte)':'; // member names repeat; zstd takes them
            if (!TryId(i, contents, names, output) && (isKey || !TryString(open, body, contents, literals, output, value)))
            {
                output.Write(contents);
            }

            output.Write("\""u8);
            pos = close + 1;
        }

        return true;
    }

    /// <summary>Offset of the quote that closes the literal opened at <paramref name="open"/>, or -1.</summary>
    private static int EndOfLiteral(ReadOnlySpan<byte> s, int open)
    {
        var i = open + 1;
        while (i < s.Length)
        {
            var next = s[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return -1;
            }

            i += next;
            if (s[i] == (byte)'"')
            {
                return i;
            }

            i += 2;
        }

        return -1;
    }

    /// <summary>A literal that is, or starts with, <c>sha256:HEX</c> (an id, or an id with a <c>#fragment</c>).</summary>
    private static bool TryId(int i, ReadOnlySpan<byte> contents, Names names, ArrayBufferWriter<byte> output)
    {
        if (contents.Length < PackedStream.IdLength || !contents.StartsWith("sha256:"u8) || contents[7..PackedStream.IdLength].ContainsAnyExcept(LowerHex))
        {
            return false;
        }

        var hex = System.Text.Encoding.ASCII.GetString(contents[7..PackedStream.IdLength]);
        var type = names.Types[i];
        if (type == EntryType.Info && hex == names.Blobs)
        {
            output.Write([PackedStream.BlobsDigestToken]);
        }
        else if (names.Memberships.TryGetValue(hex, out var m) && PackedStream.MayName(type, i, EntryType.Membership, m))
        {
            output.Write([PackedStream.NodesDigestToken]);
            PackedStream.WriteVarint(output, (uint)m);
        }
        else if (names.Ids.TryGetValue(hex, out var k) && PackedStream.MayName(type, i, names.Types[k], k))
        {
            output.Write([PackedStream.IdToken]);
            PackedStream.WriteVarint(output, (uint)k);
        }
        else
        {
            output.Write([PackedStream.DigestToken]);
            output.Write(Convert.FromHexString(hex));
        }

        output.Write(contents[PackedStream.IdLength..]);
        return true;
    }

    private static string? ConversationId(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject o ? ConversationRecord.FromJson(o).Id : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null; // not nameable; the unpack check decides whether the frame packs at all
        }
    }

    private static string? MembershipDigest(ReadOnlySpan<byte> body)
    {
        try
        {
            return (JsonNode.Parse(body) as JsonObject)?["nodes"] is JsonArray nodes
                ? CommitInfo.NodesDigest(nodes.Select(n => n?.GetValue<string>() ?? throw new FormatException("a null node id")))
                : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>What the frame's entries are called: ids (64 hex digits) to entry, Membership digests, the blob list digest.</summary>
    private sealed class Names
    {
        public Dictionary<string, int> Ids { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Memberships { get; } = new(StringComparer.Ordinal);

        public string Blobs { get; set; } = "";

        public EntryType[] Types { get; set; } = [];
    }

    private static bool TryString(int open, ReadOnlySpan<byte> body, ReadOnlySpan<byte> contents, LiteralIndex literals, ArrayBufferWriter<byte> output, ArrayBufferWriter<byte> value)
    {
        if (contents.Length < LiteralIndex.MinLength || literals.Count == 0)
        {
            return false;
        }

        value.ResetWrittenCount();
        if (!JsonLiteral.TryDecode(body, open, value, out _) || value.WrittenCount < LiteralIndex.MinLength)
        {
            return false;
        }

        if (literals.Find(value.WrittenSpan) is not var (found, start))
        {
            return false;
        }

        // The unpacker writes the value's canonical form: the token stands for these contents only if they are that form.
        if (!JsonLiteral.IsCanonical(value.WrittenSpan, contents))
        {
            return false;
        }

        var length = 1 + PackedStream.VarintLength((uint)found.Entry) + 1 + PackedStream.VarintLength((uint)start) + PackedStream.VarintLength((uint)value.WrittenCount);
        foreach (var o in found.Path)
        {
            length += PackedStream.VarintLength((uint)o);
        }

        if (length >= contents.Length)
        {
            return false;
        }

        output.Write([PackedStream.StringToken]);
        PackedStream.WriteVarint(output, (uint)found.Entry);
        PackedStream.WriteVarint(output, (uint)found.Path.Length);
        foreach (var o in found.Path)
        {
            PackedStream.WriteVarint(output, (uint)o);
        }

        PackedStream.WriteVarint(output, (uint)start);
        PackedStream.WriteVarint(output, (uint)value.WrittenCount);
        return true;
    }

    private static readonly SearchValues<byte> LowerHex = SearchValues.Create("0123456789abcdef"u8);
}

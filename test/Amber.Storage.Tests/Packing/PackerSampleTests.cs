using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Storage.Format;
using Amber.Storage.Format.Packing;
using Amber.Testing;

namespace Amber.Storage.Tests.Packing;

/// <summary>
/// The packer is exact by construction (no unpack-and-compare after it): on real export files as raw blobs, with nodes
/// holding their texts canonically and non-canonically escaped, every packed stream unpacks to exactly its payload; and
/// a payload the unpacker would read differently is not packed at all.
/// </summary>
public sealed class PackerSampleTests
{
    [Theory]
    [InlineData("chatgpt-export-kongmono/openai_convo_nodes.json", 1)]
    [InlineData("chatgpt-export-elinvoss/conversations.json", 2)]
    [InlineData("claude-export-yaleman/conversations.json", 3)]
    [InlineData("claude-code-codemie/session-196820da.jsonl", 4)]
    public void Pack_RealExportAsRawBlob_UnpacksByteExactAndUsesStringTokens(string sample, int seed)
    {
        var bytes = File.ReadAllBytes(SharedData.RequireSample(sample));
        var r = new Random(seed);
        for (var round = 0; round < 4; round++)
        {
            // A window of the file (the writer packs a few hundred KiB per commit), cut anywhere: literals broken too.
            var length = Math.Min(bytes.Length, r.Next(64 << 10, 512 << 10));
            var start = r.Next(0, bytes.Length - length + 1);
            var blob = bytes.AsSpan(start, length).ToArray();
            var payload = Payload(blob, Texts(blob, r));
            var packed = Packer.TryPack(payload);
            Assert.NotNull(packed);
            Assert.Equal(payload, Unpacker.Unpack(packed, payload.Length));
            Assert.True(PackerRoundTripTests.CountStringTokens(packed) > 0, $"{sample}: no text of the file was found in it");
        }
    }

    [Fact]
    public void Pack_TextWithAnEscapeTheCanonicalFormDoesNotUse_KeepsTheLiteral()
    {
        // The raw source escapes "/" as "\/" and so does the (non-canonical) node: both decode to the same value, but a
        // token would unpack to the canonical "/" and change the node's bytes, and with them its id.
        var blob = "{\"text\":\"see https:\\/\\/example.org\\/a\\/long\\/path for the answer\"}"u8.ToArray();
        var node = "{\"text\":\"see https:\\/\\/example.org\\/a\\/long\\/path for the answer\"}"u8.ToArray();
        var payload = Build(w =>
        {
            CommitPayload.WriteEntry(w, EntryType.Blob, SHA(blob), blob);
            CommitPayload.WriteEntry(w, EntryType.Node, node);
        });
        var packed = Packer.TryPack(payload);
        Assert.NotNull(packed); // the blob's digest still goes
        Assert.Equal(payload, Unpacker.Unpack(packed, payload.Length));
        Assert.Equal(0, PackerRoundTripTests.CountStringTokens(packed));
    }

    [Fact]
    public void Pack_BlobWhoseDigestIsNotItsHash_IsNotPacked()
    {
        var blob = "{\"text\":\"a text long enough to be worth a string token\"}"u8.ToArray();
        var wrong = SHA(blob);
        wrong[0] ^= 1;
        var payload = Build(w =>
        {
            CommitPayload.WriteEntry(w, EntryType.Blob, wrong, blob);
            CommitPayload.WriteEntry(w, EntryType.Node, "{\"text\":\"a text long enough to be worth a string token\"}"u8);
        });
        Assert.Null(Packer.TryPack(payload)); // the unpacker would recompute the digest and give other bytes
    }

    [Fact]
    public void Pack_ConversationRecordThatDoesNotParse_IsNotPacked()
    {
        var payload = Build(w =>
        {
            CommitPayload.WriteEntry(w, EntryType.Conversation, "{\"not\":\"a conversation record at all, but long\"}"u8);
            CommitPayload.WriteEntry(w, EntryType.Node, "{\"text\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}"u8);
        });
        Assert.Null(Packer.TryPack(payload)); // the unpacker computes every Conversation entry's id and would fail
    }

    /// <summary>String values of the blob, each as a node's text: canonical mostly, else with "/" escaped as the source may.</summary>
    private static List<byte[]> Texts(byte[] blob, Random r)
    {
        var nodes = new List<byte[]>();
        var value = new ArrayBufferWriter<byte>();
        var at = 0;
        while (nodes.Count < 200 && at < blob.Length)
        {
            var q = blob.AsSpan(at).IndexOf((byte)'"');
            if (q < 0)
            {
                break;
            }

            var open = at + q;
            value.ResetWrittenCount();
            if (!JsonLiteral.TryDecode(blob, open, value, out var end) || value.WrittenCount < 24 || r.Next(3) != 0)
            {
                at = open + 1;
                continue;
            }

            var canonical = CanonicalJson.Canonicalize(new JsonObject { ["text"] = Encoding.UTF8.GetString(value.WrittenSpan) });
            var plain = Encoding.UTF8.GetString(canonical);
            nodes.Add(r.Next(4) == 0 && plain.Contains('/') ? Encoding.UTF8.GetBytes(plain.Replace("/", "\\/")) : canonical);
            at = end;
        }

        return nodes;
    }

    private static byte[] Payload(byte[] blob, List<byte[]> nodes) => Build(w =>
    {
        CommitPayload.WriteEntry(w, EntryType.Blob, SHA(blob), blob);
        foreach (var n in nodes)
        {
            CommitPayload.WriteEntry(w, EntryType.Node, n);
        }
    });

    private static byte[] Build(Action<ArrayBufferWriter<byte>> write)
    {
        var w = new ArrayBufferWriter<byte>();
        write(w);
        return w.WrittenSpan.ToArray();
    }

    private static byte[] SHA(byte[] bytes) => ContentId.ToDigest(ContentId.Of(bytes));
}

using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Storage.Format;
using Amber.Storage.Format.Packing;

namespace Amber.Storage.Tests.Packing;

/// <summary>The worked example of docs/format/record-frame.md §10.4, byte for byte.</summary>
public sealed class PackedTestVectorTests
{
    private const string PackedHex =
        "052f7b2271223a226361665c7530306539206175206c6169742c207327696c20766f757320706c615c75303065657422"
        + "7d04767b22636f6e74656e74223a5b7b2274657874223a2202000105001f222c2274797065223a2274657874227d5d2c"
        + "226d657461223a7b22726177223a2201002330227d2c22706172656e74223a6e756c6c2c22726f6c65223a2275736572"
        + "222c2274797065223a22616d6265722e6e6f64652f7631227d04697b22636f6e74656e74223a5b7b2274657874223a22"
        + "4269656e2073c3bb722e222c2274797065223a2274657874227d5d2c22706172656e74223a220101222c22726f6c6522"
        + "3a22617373697374616e74222c2274797065223a22616d6265722e6e6f64652f7631227d";

    internal static byte[] Decoded()
    {
        var blob = Encoding.UTF8.GetBytes("{\"q\":\"caf\\u00e9 au lait, s'il vous pla\\u00eet\"}");
        var blobId = ContentId.Of(blob);
        var first = CanonicalJson.Canonicalize(new JsonObject
        {
            ["type"] = "amber.node/v1",
            ["parent"] = null,
            ["role"] = "user",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "café au lait, s'il vous plaît" }),
            ["meta"] = new JsonObject { ["raw"] = blobId + "#0" },
        });
        var second = CanonicalJson.Canonicalize(new JsonObject
        {
            ["type"] = "amber.node/v1",
            ["parent"] = ContentId.Of(first),
            ["role"] = "assistant",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Bien sûr." }),
        });
        var payload = new ArrayBufferWriter<byte>();
        CommitPayload.WriteEntry(payload, EntryType.Blob, ContentId.ToDigest(blobId), blob);
        CommitPayload.WriteEntry(payload, EntryType.Node, first);
        CommitPayload.WriteEntry(payload, EntryType.Node, second);
        return payload.WrittenSpan.ToArray();
    }

    [Fact]
    public void Pack_WorkedExample_GivesTheDocumentedBytes()
    {
        var decoded = Decoded();
        var packed = Packer.TryPack(decoded);
        Assert.NotNull(packed);
        Assert.Equal(PackedHex, Convert.ToHexStringLower(packed));
        Assert.Equal(decoded, Unpacker.Unpack(Convert.FromHexString(PackedHex), decoded.Length));
    }
}

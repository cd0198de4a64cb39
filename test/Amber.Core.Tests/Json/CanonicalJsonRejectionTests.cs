using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Json;

namespace Amber.Core.Tests.Json;

/// <summary>Input outside I-JSON (RFC 7493) cannot be canonicalized and must fail loudly, never be altered.</summary>
public sealed class CanonicalJsonRejectionTests
{
    [Theory]
    [InlineData("{\"a\":1,\"a\":2}")]
    [InlineData("{\"a\":1,\"b\":{\"c\":1,\"c\":1}}")]
    [InlineData("[{\"x\":{},\"x\":{}}]")]
    [InlineData("{\"\\u0061\":1,\"a\":2}")]
    public void Canonicalize_DuplicateMemberNames_Throws(string json)
    {
        var e = Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(json));
        Assert.Contains("Duplicate", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"a\":1,\"a\":2}")]
    [InlineData("[{\"b\":[{\"c\":0,\"c\":0}]}]")]
    public void Parse_DuplicateMemberNames_Throws(string json)
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\udc00\"")]
    [InlineData("\"a\\ud83dz\"")]
    [InlineData("\"\\ude02\\ud83d\"")]
    [InlineData("{\"\\ud800\":1}")]
    public void Canonicalize_EscapedLoneSurrogate_Throws(string json)
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));
    }

    // Not theory data: test case serialization would replace lone surrogates with U+FFFD.
    [Fact]
    public void Canonicalize_JsonNodeWithLoneSurrogate_Throws()
    {
        string[] values = ["\ud800", "x\udc00", "\ude02\ud83d", "\ud83d\ud83d\ude02"];
        Assert.All(values, value =>
        {
            Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(new JsonObject { ["v"] = value }));
            Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(new JsonObject { [value] = 1 }));
            Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(new JsonArray(value)));
        });
    }

    [Fact]
    public void Canonicalize_StringOverloadWithRawLoneSurrogate_Throws()
    {
        // Must not be silently replaced by U+FFFD.
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize("\"a\ud800\""));
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0xff, 0x22 })]
    [InlineData(new byte[] { 0x22, 0xc3, 0x22 })]
    [InlineData(new byte[] { 0x22, 0xed, 0xa0, 0x80, 0x22 })]
    public void Canonicalize_InvalidUtf8_Throws(byte[] utf8)
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(utf8));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1] // comment")]
    [InlineData("{\"a\":1} x")]
    [InlineData("[1] [2]")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("[01]")]
    [InlineData("'a'")]
    public void Canonicalize_InvalidJson_Throws(string json)
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(json));
    }
}

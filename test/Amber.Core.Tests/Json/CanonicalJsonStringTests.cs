using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Json;

namespace Amber.Core.Tests.Json;

/// <summary>String serialization (RFC 8785 §3.2.2.2) and member ordering (§3.2.3).</summary>
public sealed class CanonicalJsonStringTests
{
    [Theory]
    [InlineData("\"", "\\\"")]
    [InlineData("\\", "\\\\")]
    [InlineData("\b", "\\b")]
    [InlineData("\t", "\\t")]
    [InlineData("\n", "\\n")]
    [InlineData("\f", "\\f")]
    [InlineData("\r", "\\r")]
    [InlineData("\u0000", "\\u0000")]
    [InlineData("\u000b", "\\u000b")]
    [InlineData("\u000f", "\\u000f")]
    [InlineData("\u001f", "\\u001f")]
    [InlineData("/", "/")]
    [InlineData("'", "'")]
    [InlineData("\u007f", "\u007f")]
    [InlineData("\u0080", "\u0080")]
    [InlineData("é", "é")]
    [InlineData("\u2028\u2029", "\u2028\u2029")]
    [InlineData("</script>", "</script>")]
    [InlineData("\U0001F602", "\U0001F602")]
    public void Canonicalize_String_EscapesOnlyQuoteBackslashAndControls(string value, string expectedInner)
    {
        var bytes = CanonicalJson.Canonicalize(JsonValue.Create(value));

        Assert.Equal(Encoding.UTF8.GetBytes("\"" + expectedInner + "\""), bytes);
    }

    [Fact]
    public void Canonicalize_EscapedInput_WritesLiteralUtf8()
    {
        var canonical = CanonicalJson.Canonicalize("\"\\u20ac\\u00e9\\ud83d\\ude02\\/\\u0041\"");

        Assert.Equal("\"€é\U0001F602/A\"", canonical);
    }

    [Fact]
    public void Canonicalize_UnnormalizedUnicode_IsKeptAsIs()
    {
        // RFC 8785 §3.2.2.2: no Unicode normalization.
        Assert.Equal("\"A\u030a\"", CanonicalJson.Canonicalize("\"A\\u030a\""));
    }

    [Fact]
    public void Canonicalize_MemberNames_SortByUtf16CodeUnitsNotCodePoints()
    {
        // U+FB33 is one code unit 0xFB33; U+1F602 is the pair 0xD83D 0xDE02, so it sorts first in UTF-16
        // order although its code point is larger.
        var json = "{\"\\ufb33\":1,\"\\ud83d\\ude02\":2,\"\\u20ac\":3,\"\\r\":4,\"1\":5,\"\\u0080\":6,\"a\":7,\"A\":8,\"\":9}";

        Assert.Equal("{\"\":9,\"\\r\":4,\"1\":5,\"A\":8,\"a\":7,\"\u0080\":6,\"€\":3,\"\U0001F602\":2,\"\ufb33\":1}", CanonicalJson.Canonicalize(json));
    }

    [Fact]
    public void Canonicalize_Whitespace_IsRemoved()
    {
        Assert.Equal("{\"a\":[1,2,{\"b\":null}],\"c\":true}", CanonicalJson.Canonicalize(" { \"c\" : true ,\n\t\"a\" : [ 1 , 2 , { \"b\" : null } ] } \r\n"));
    }

    [Fact]
    public void Canonicalize_NestedObjects_AreSortedAtEveryLevel()
    {
        Assert.Equal("[{\"a\":{\"x\":1,\"y\":2},\"b\":[{\"m\":0,\"n\":1}]}]", CanonicalJson.Canonicalize("[{\"b\":[{\"n\":1,\"m\":0}],\"a\":{\"y\":2,\"x\":1}}]"));
    }
}

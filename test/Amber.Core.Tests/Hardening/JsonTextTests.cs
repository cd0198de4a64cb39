using System.Text.Json.Nodes;
using Amber.Core.Json;

namespace Amber.Core.Tests.Hardening;

/// <summary>
/// Issue 20, item 15: a message over ~166 MB made <c>show --json</c> crash and the API answer 500, because
/// System.Text.Json refuses one string value over 166,666,666 characters. The CLI and the API write through
/// <see cref="JsonText"/>, which writes any string the archive holds.
/// </summary>
public sealed class JsonTextTests
{
    [Fact]
    public void Item15_Write_AStringOverSystemTextJsonsLimit_IsWrittenAndReadsBack()
    {
        var text = new string('a', 170_000_000) + "\"\\\n\u0001é";
        var node = new JsonObject { ["id"] = "n", ["content"] = new JsonArray(new JsonObject { ["text"] = text }) };
        var json = JsonText.Write(node);
        var back = JsonNode.Parse(json)!;
        Assert.Equal(text, (string?)back["content"]![0]!["text"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Item15_Write_OrdinaryDocuments_AsSystemTextJsonWithRelaxedEscaping(bool indented)
    {
        var node = JsonNode.Parse("""{"a":"é ✓ <b>","n":[1,2.5,null,true],"o":{"x":"y\u0007"}}""")!;
        var expected = node.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = indented });
        Assert.Equal(expected, JsonText.Write(node, indented));
    }

    [Fact]
    public void Item15_Write_NestingToTheOutputLimit_IsWritten()
    {
        JsonNode node = new JsonObject();
        for (var i = 0; i < JsonLimits.OutputMaxDepth - 2; i++)
        {
            node = new JsonObject { ["d"] = node };
        }

        Assert.StartsWith("{\"d\":{\"d\":", JsonText.Write(node), StringComparison.Ordinal);
    }
}

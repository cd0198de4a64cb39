using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

public sealed class ConversationRecordTests
{
    private static ConversationRecord Sample() => new()
    {
        Format = "claude",
        Source = "claude-export-2024-06.zip",
        SourceId = "b1c2d3e4",
        Title = "Planning",
        Created = "2024-06-01T08:00:00Z",
        Meta = new JsonObject { ["account"] = "a1" },
    };

    [Fact]
    public void Id_AnyRecord_IsSha256OfIdentityObjectOnly()
    {
        var c = Sample();
        var identity = """{"format":"claude","source":"claude-export-2024-06.zip","source_id":"b1c2d3e4","type":"amber.conversation/v1"}""";

        Assert.Equal(identity, Encoding.UTF8.GetString(CanonicalJson.Canonicalize(ConversationRecord.IdentityJson(c.Format, c.Source, c.SourceId))));
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity))), c.Id);
    }

    [Fact]
    public void Id_DescriptiveFieldsChange_KeepsId()
    {
        var a = Sample();
        var b = a with { Title = "Renamed", Created = null, Meta = new JsonObject { ["other"] = true } };

        Assert.Equal(a.Id, b.Id);
    }

    [Theory]
    [InlineData("format")]
    [InlineData("source")]
    [InlineData("source_id")]
    public void Id_IdentityFieldChange_ChangesId(string field)
    {
        var a = Sample();
        var b = field switch
        {
            "format" => a with { Format = "chatgpt" },
            "source" => a with { Source = "other.zip" },
            "source_id" => a with { SourceId = "b1c2d3e5" },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public void ToJson_FullRecord_AddsDescriptiveFieldsToIdentity()
    {
        Assert.Equal(
            """{"created":"2024-06-01T08:00:00Z","format":"claude","meta":{"account":"a1"},"source":"claude-export-2024-06.zip","source_id":"b1c2d3e4","title":"Planning","type":"amber.conversation/v1"}""",
            Encoding.UTF8.GetString(CanonicalJson.Canonicalize(Sample().ToJson())));
    }

    [Fact]
    public void ToJson_NoDescriptiveFields_EqualsIdentity()
    {
        var c = new ConversationRecord { Format = "gateway", Source = "openai", SourceId = "x" };

        Assert.True(JsonNode.DeepEquals(ConversationRecord.IdentityJson("gateway", "openai", "x"), c.ToJson()));
    }

    [Fact]
    public void FromJson_FullRecord_RoundTrips()
    {
        var c = Sample();

        var back = ConversationRecord.FromJson(CanonicalJson.Parse(CanonicalJson.Canonicalize(c.ToJson()))!.AsObject());

        Assert.Equal(c.Id, back.Id);
        Assert.Equal(CanonicalJson.Canonicalize(c.ToJson()), CanonicalJson.Canonicalize(back.ToJson()));
    }

    [Fact]
    public void FromJson_WrongType_ThrowsFormatException()
    {
        var o = Sample().ToJson();
        o["type"] = "amber.model/v1";

        Assert.Throws<FormatException>(() => ConversationRecord.FromJson(o));
    }
}

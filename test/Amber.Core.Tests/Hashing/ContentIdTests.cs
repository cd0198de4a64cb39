using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;

namespace Amber.Core.Tests.Hashing;

public sealed class ContentIdTests
{
    private const string EmptySha256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public void Of_EmptyBytes_IsSha256OfNothing()
    {
        Assert.Equal(EmptySha256, ContentId.Of([]));
    }

    [Fact]
    public void Of_Abc_MatchesFips180Vector()
    {
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ContentId.Of("abc"u8));
    }

    [Fact]
    public void Of_BlobBytes_HashesExactBytesWithoutCanonicalization()
    {
        // A blob that happens to be JSON is still hashed as is: whitespace and member order count.
        var a = ContentId.Of("{\"b\":1,\"a\":2}"u8);
        var b = ContentId.Of("{\"a\":2,\"b\":1}"u8);

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void OfCanonical_MemberOrder_DoesNotMatter()
    {
        var a = new JsonObject { ["b"] = 1, ["a"] = "x" };
        var b = new JsonObject { ["a"] = "x", ["b"] = 1 };

        Assert.Equal(ContentId.OfCanonical(a), ContentId.OfCanonical(b));
        Assert.Equal(ContentId.Of(Encoding.UTF8.GetBytes("{\"a\":\"x\",\"b\":1}")), ContentId.OfCanonical(a));
    }

    [Theory]
    [InlineData(EmptySha256, true)]
    [InlineData("sha256:0000000000000000000000000000000000000000000000000000000000000000", true)]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", false)]
    [InlineData("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false)]
    [InlineData("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false)]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", false)]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", false)]
    [InlineData("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValid_Candidate_AcceptsOnlyPrefixAnd64LowercaseHex(string? id, bool expected)
    {
        Assert.Equal(expected, ContentId.IsValid(id));
    }

    [Fact]
    public void ToDigest_ValidId_RoundTripsThroughFormat()
    {
        var digest = ContentId.ToDigest(EmptySha256);

        Assert.Equal(32, digest.Length);
        Assert.Equal(EmptySha256, ContentId.Format(digest));
    }

    [Fact]
    public void ToDigest_InvalidId_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ContentId.ToDigest("sha256:xyz"));
    }

    [Fact]
    public void Format_DigestNot32Bytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => ContentId.Format(new byte[31]));
    }

    [Fact]
    public void Length_Always_IsPrefixPlus64()
    {
        Assert.Equal(ContentId.Length, "sha256:".Length + 64);
        Assert.Equal(ContentId.Length, EmptySha256.Length);
    }
}

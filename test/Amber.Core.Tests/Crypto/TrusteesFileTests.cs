using Amber.Core.Crypto;

namespace Amber.Core.Tests.Crypto;

public sealed class TrusteesFileTests
{
    private static readonly string KeyA = Convert.ToBase64String(KeyWrapTests.Bytes(1, 32));
    private static readonly string KeyB = Convert.ToBase64String(KeyWrapTests.Bytes(2, 32));

    [Fact]
    public void Parse_NamesAndKeys_WithCommentsAndBlankLines()
    {
        var trustees = TrusteesFile.Parse($"# board of trustees\n\nalice x25519:{KeyA}\r\nbob.smith@example.org\tx25519:{KeyB}\n", "trustees.txt");

        Assert.Equal(["alice", "bob.smith@example.org"], trustees.Select(t => t.Name));
        Assert.Equal(KeyWrapTests.Bytes(2, 32), trustees[1].PublicKey.ToArray());
    }

    [Fact]
    public void Format_ThenParse_GivesTheSameTrustees()
    {
        var trustees = TrusteesFile.Parse($"alice x25519:{KeyA}\nbob x25519:{KeyB}\n", "t");

        Assert.Equal($"alice x25519:{KeyA}\nbob x25519:{KeyB}\n", TrusteesFile.Format(trustees));
    }

    [Theory]
    [InlineData("alice\n", "trustees.txt:1: expected 'NAME x25519:BASE64', got 1 fields.")]
    [InlineData("alice ed25519:AAAA\n", "trustees.txt:1: the key of 'alice' does not start with 'x25519:' (the only key type a trustee can have).")]
    [InlineData("alice x25519:AAAA\n", "trustees.txt:1: the key of 'alice' is not 32 bytes of standard base64.")]
    [InlineData("alice x25519:!!!!\n", "trustees.txt:1: the key of 'alice' is not 32 bytes of standard base64.")]
    [InlineData("al/ice x25519:AAAA\n", "trustees.txt:1: the trustee name 'al/ice' contains '/' (allowed: letters, digits, . _ @ + -).")]
    [InlineData("# nobody\n\n", "trustees.txt: names no trustees.")]
    public void Parse_BadLine_SaysFileLineAndProblem(string text, string message)
    {
        var e = Assert.Throws<KeyRecordException>(() => TrusteesFile.Parse(text, "trustees.txt"));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parse_DuplicateNameOrKey_PointsAtTheEarlierLine()
    {
        var name = Assert.Throws<KeyRecordException>(() => TrusteesFile.Parse($"alice x25519:{KeyA}\n# x\nalice x25519:{KeyB}\n", "t.txt"));
        var key = Assert.Throws<KeyRecordException>(() => TrusteesFile.Parse($"alice x25519:{KeyA}\nbob x25519:{KeyA}\n", "t.txt"));

        Assert.Equal("t.txt:3: the trustee 'alice' is already named on line 1.", name.Message);
        Assert.Equal("t.txt:2: the key of 'bob' is the key of the trustee on line 1.", key.Message);
    }

    [Fact]
    public void TrusteeKeyPair_PrivateKeyText_RoundTripsToTheSamePublicKey()
    {
        using var pair = TrusteeKeyPair.Create("carol", new SeededRandom(3));
        using var back = TrusteeKeyPair.Parse("# carol's key\n" + pair.FormatPrivateKey(), "carol.key");

        Assert.Equal(pair.Trustee.ToString(), back.Trustee.ToString());
        Assert.StartsWith("carol x25519:", pair.Trustee.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TrusteeKeyPair_Parse_PublicKeyLine_IsRefused()
    {
        var e = Assert.Throws<KeyRecordException>(() => TrusteeKeyPair.Parse($"alice x25519:{KeyA}\n", "alice.key"));

        Assert.Equal("alice.key: expected 'NAME x25519-private:BASE64'.", e.Message);
    }
}

using System.Security.Cryptography;
using System.Text;
using Amber.Transparency.Notes;

namespace Amber.Transparency.Tests.Notes;

/// <summary>Ed25519 keys for notes: generation from an injected source, key text round trips, signing.</summary>
public sealed class NoteSignerTests
{
    [Fact]
    public void Generate_SameRandomSource_GivesSameKey()
    {
        using var a = TestKeys.Signer("example.com/log", seed: 3);
        using var b = TestKeys.Signer("example.com/log", seed: 3);
        using var c = TestKeys.Signer("example.com/log", seed: 4);

        Assert.Equal(a.VerifierKey.ToString(), b.VerifierKey.ToString());
        Assert.NotEqual(a.VerifierKey.ToString(), c.VerifierKey.ToString());
    }

    [Fact]
    public void Generate_SystemRandom_ProducesWorkingKey()
    {
        using var signer = NoteSigner.Generate("example.com/log", RandomNumberGenerator.Fill);

        var note = signer.SignNote("text\n");

        Assert.True(new NoteVerifier(signer.VerifierKey).Verify(note).IsValid);
    }

    [Fact]
    public void ExportPrivateKey_ParsedBack_GivesSameKeyAndSignatures()
    {
        using var signer = TestKeys.Signer("example.com/log");

        var skey = signer.ExportPrivateKey();
        using var again = NoteSigner.ParsePrivateKey(skey);

        Assert.StartsWith("PRIVATE+KEY+example.com/log+", skey, StringComparison.Ordinal);
        Assert.Equal(signer.VerifierKey.ToString(), again.VerifierKey.ToString());
        Assert.Equal(signer.SignNote("same\n").Format(), again.SignNote("same\n").Format());
    }

    [Fact]
    public void VerifierKey_Format_IsNameHexIdBase64()
    {
        using var signer = TestKeys.Signer("example.com/log");

        var parts = signer.VerifierKey.ToString().Split('+', 3);

        Assert.Equal("example.com/log", parts[0]);
        Assert.Equal(signer.KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), parts[1]);
        var blob = Convert.FromBase64String(parts[2]);
        Assert.Equal(NoteSignatureType.Ed25519, blob[0]);
        Assert.Equal(signer.PublicKey.ToArray(), blob[1..]);
        var expectedId = SHA256.HashData([.. Encoding.UTF8.GetBytes("example.com/log"), 0x0A, 0x01, .. signer.PublicKey.Span]);
        Assert.Equal(Convert.ToHexStringLower(expectedId[..4]), parts[1]);
    }

    [Fact]
    public void ParsePrivateKey_WrongKeyId_Throws()
    {
        using var signer = TestKeys.Signer("example.com/log");
        var parts = signer.ExportPrivateKey().Split('+', 5);
        parts[3] = "00000000";

        var error = Assert.Throws<FormatException>(() => NoteSigner.ParsePrivateKey(string.Join('+', parts)));
        Assert.Contains("does not match", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PRIVATE+KEY+name")]
    [InlineData("PUBLIC+KEY+name+00000000+AQ==")]
    [InlineData("PRIVATE+KEY+name+0000000+AQ==")]
    [InlineData("PRIVATE+KEY+name+00000000+AQ==")]
    public void ParsePrivateKey_Malformed_Throws(string skey)
        => Assert.Throws<FormatException>(() => NoteSigner.ParsePrivateKey(skey));

    [Fact]
    public void NoteVerifierKeyParse_WrongKeyId_IsRejected()
    {
        using var signer = TestKeys.Signer("example.com/log");
        var parts = signer.VerifierKey.ToString().Split('+', 3);

        Assert.False(NoteVerifierKey.TryParse($"{parts[0]}+00000000+{parts[2]}", out _, out var error));
        Assert.Contains("does not match", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NoteVerifierKeyParse_UnsupportedType_IsRejected()
    {
        var blob = Convert.ToBase64String([0x02, .. new byte[32]]);
        var id = NoteVerifierKey.ComputeKeyId("k", 0x02, new byte[32]).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

        Assert.False(NoteVerifierKey.TryParse($"k+{id}+{blob}", out _, out var error));
        Assert.Contains("not supported", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_InvalidText_Throws()
    {
        using var signer = TestKeys.Signer("example.com/log");

        Assert.Throws<ArgumentException>(() => signer.Sign("no final newline"));
        Assert.Throws<ArgumentException>(() => signer.Sign("carriage\r\n"));
    }

    [Fact]
    public void Generate_InvalidName_Throws()
        => Assert.Throws<ArgumentException>(() => TestKeys.Signer("bad name"));
}

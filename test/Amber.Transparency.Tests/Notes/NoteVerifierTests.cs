using System.Buffers.Binary;
using System.Text;
using Amber.Transparency.Notes;
using NSec.Cryptography;

namespace Amber.Transparency.Tests.Notes;

/// <summary>The verification rules: unknown keys ignored, a failing known key rejects, no known signature rejects.</summary>
public sealed class NoteVerifierTests
{
    private const string Text = "example.com/log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

    [Fact]
    public void Verify_OneKnownAmongUnknown_IgnoresTheUnknown()
    {
        using var log = TestKeys.Signer("example.com/log", 1);
        using var stranger = TestKeys.Signer("stranger.example", 2);
        var note = stranger.AddSignature(log.SignNote(Text));

        var result = new NoteVerifier(log.VerifierKey).Verify(note);

        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(log.VerifierKey, Assert.Single(result.VerifiedBy));
        Assert.Equal("stranger.example", Assert.Single(result.UnknownSignatures).KeyName);
    }

    [Fact]
    public void Verify_KnownKeyFailsEvenIfAnotherVerifies_RejectsTheNote()
    {
        using var log = TestKeys.Signer("example.com/log", 1);
        using var witness = TestKeys.Signer("witness.example", 2);
        var good = log.SignNote(Text);
        var forged = new NoteSignature(witness.Name, witness.KeyId, new byte[64]);

        var result = new NoteVerifier(log.VerifierKey, witness.VerifierKey).Verify(good.WithSignature(forged));

        Assert.False(result.IsValid);
        Assert.Contains("witness.example", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SameNameOtherKeyId_IsIgnoredAsUnknown()
    {
        using var log = TestKeys.Signer("example.com/log", 1);
        using var impostor = TestKeys.Signer("example.com/log", 9);

        var result = new NoteVerifier(log.VerifierKey).Verify(impostor.SignNote(Text));

        Assert.False(result.IsValid);
        Assert.Contains("No signature is from a trusted key", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AlteredText_Rejects()
    {
        using var log = TestKeys.Signer("example.com/log", 1);
        var note = log.SignNote(Text);
        var altered = new SignedNote(Text.Replace("\n5\n", "\n6\n", StringComparison.Ordinal), note.Signatures);

        Assert.False(new NoteVerifier(log.VerifierKey).Verify(altered).IsValid);
    }

    [Fact]
    public void Verify_DuplicateSignature_CountsOnce()
    {
        using var log = TestKeys.Signer("example.com/log", 1);
        var note = log.AddSignature(log.SignNote(Text));

        var result = new NoteVerifier(log.VerifierKey).Verify(note);

        Assert.True(result.IsValid);
        Assert.Single(result.VerifiedBy);
    }

    [Fact]
    public void Constructor_TwoKeysWithSameNameAndId_Throws()
    {
        using var log = TestKeys.Signer("example.com/log", 1);

        Assert.Throws<ArgumentException>(() => new NoteVerifier(log.VerifierKey, NoteVerifierKey.Parse(log.VerifierKey.ToString())));
    }

    [Fact]
    public void Open_MalformedNote_ReportsMalformed()
    {
        using var log = TestKeys.Signer("example.com/log", 1);

        var result = new NoteVerifier(log.VerifierKey).Open("no signatures\n");

        Assert.False(result.IsValid);
        Assert.StartsWith("Malformed note", result.Failure, StringComparison.Ordinal);
        Assert.Null(result.Note);
    }

    [Fact]
    public void Verify_WitnessCosignature_VerifiesBesideLogSignature()
    {
        using var log = TestKeys.Signer("example.com/log", 1);
        var seed = Enumerable.Range(0, 32).Select(i => (byte)(100 + i)).ToArray();
        using var witnessKey = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        var witness = NoteVerifierKey.Create("witness.example", NoteSignatureType.CosignatureV1, witnessKey.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        const ulong timestamp = 1_727_964_367;
        var signature = new byte[Cosignature.Length];
        BinaryPrimitives.WriteUInt64BigEndian(signature, timestamp);
        SignatureAlgorithm.Ed25519.Sign(witnessKey, Cosignature.SignedMessage(timestamp, Encoding.UTF8.GetBytes(Text)), signature.AsSpan(8));
        var note = log.SignNote(Text).WithSignature(new NoteSignature(witness.Name, witness.KeyId, signature));

        var result = new NoteVerifier(log.VerifierKey, witness).Open(note.Format());

        Assert.True(result.IsValid, result.Failure);
        Assert.Equal([log.VerifierKey, witness], result.VerifiedBy);
        Assert.True(Cosignature.TryReadTimestamp(note.Signatures[1], out var read));
        Assert.Equal(timestamp, read);

        // The cosignature covers the timestamp: changing it breaks the signature.
        BinaryPrimitives.WriteUInt64BigEndian(signature, timestamp + 1);
        var moved = log.SignNote(Text).WithSignature(new NoteSignature(witness.Name, witness.KeyId, signature));
        Assert.False(new NoteVerifier(log.VerifierKey, witness).Verify(moved).IsValid);
    }
}

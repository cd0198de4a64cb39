using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Amber.Transparency.Checkpoints;
using Amber.Transparency.Notes;

namespace Amber.Transparency.Tests.Notes;

/// <summary>
/// Every case of the signed-note vectors: Go's note tests, the C2SP example, real sum.golang.org checkpoints,
/// derived negative cases and the cosignature layout.
/// </summary>
public sealed partial class SignedNoteVectorTests
{
    public static TheoryData<string> Positive() => SignedNoteVectors.Ids("vectors");

    public static TheoryData<string> Negative() => SignedNoteVectors.Ids("negative");

    public static TheoryData<string> CheckpointVectors() => SignedNoteVectors.Ids("vectors", withProperty: "checkpoint");

    [Theory]
    [MemberData(nameof(Positive))]
    public void Open_PositiveVector_VerifiesWithExpectedSigners(string id)
    {
        var vector = Load("vectors", id);
        var verifier = NoteVerifier.Parse(SignedNoteVectors.VerifierKeys(vector));
        var note = Encoding.UTF8.GetBytes(vector.GetProperty("note").GetString()!);

        var result = verifier.Open(note);

        Assert.True(result.IsValid, result.Failure);
        var expected = vector.GetProperty("expectVerified").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(expected, result.VerifiedBy.Select(k => k.Name).ToList());
        Assert.Empty(result.UnknownSignatures);
    }

    [Theory]
    [MemberData(nameof(Positive))]
    public void Format_PositiveVector_ReproducesNoteBytes(string id)
    {
        var vector = Load("vectors", id);
        var note = Encoding.UTF8.GetBytes(vector.GetProperty("note").GetString()!);

        Assert.Equal(note, SignedNote.Parse(note).ToBytes());
    }

    [Theory]
    [MemberData(nameof(Positive))]
    public void NoteVerifierKey_PositiveVectorKeys_RoundTripAndKeyIdMatches(string id)
    {
        var vector = Load("vectors", id);

        foreach (var vkey in SignedNoteVectors.VerifierKeys(vector))
        {
            var key = NoteVerifierKey.Parse(vkey);
            Assert.Equal(vkey, key.ToString());
            Assert.Equal(NoteSignatureType.Ed25519, key.SignatureType);
            Assert.Equal(NoteVerifierKey.ComputeKeyId(key.Name, NoteSignatureType.Ed25519, key.PublicKey.Span), key.KeyId);
        }
    }

    [Fact]
    public void Sign_PeterNeumannSkey_ReproducesNoteByteForByte()
    {
        var vector = SignedNoteVectors.Find("vectors", "go-note-peterneumann");
        var skey = vector.GetProperty("skey").GetString()!;
        using var signer = NoteSigner.ParsePrivateKey(skey);

        var note = signer.SignNote(vector.GetProperty("text").GetString()!);

        Assert.Equal(vector.GetProperty("vkey").GetString(), signer.VerifierKey.ToString());
        Assert.Equal(skey, signer.ExportPrivateKey());
        Assert.Equal(Encoding.UTF8.GetBytes(vector.GetProperty("note").GetString()!), note.ToBytes());
    }

    [Fact]
    public void Open_TwoSignerNoteWithOneKnownKey_VerifiesAndListsTheOtherAsUnknown()
    {
        var vector = SignedNoteVectors.Find("vectors", "go-note-two-signers");
        var verifier = NoteVerifier.Parse(SignedNoteVectors.VerifierKeys(vector)[1]);

        var result = verifier.Open(vector.GetProperty("note").GetString()!);

        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(SignedNoteVectors.VerifierKeys(vector)[1].Split('+')[0], Assert.Single(result.VerifiedBy).Name);
        Assert.Single(result.UnknownSignatures);
    }

    [Theory]
    [MemberData(nameof(CheckpointVectors))]
    public void CheckpointOpen_SumDbCheckpoint_ParsesAndVerifies(string id)
    {
        var vector = Load("vectors", id);
        var expected = vector.GetProperty("checkpoint");

        var result = Checkpoint.Open(vector.GetProperty("note").GetString()!, NoteVerifier.Parse(SignedNoteVectors.VerifierKeys(vector)), expected.GetProperty("origin").GetString());

        Assert.True(result.IsValid, result.Failure);
        var checkpoint = result.Checkpoint!;
        Assert.Equal(expected.GetProperty("origin").GetString(), checkpoint.Origin);
        Assert.Equal(expected.GetProperty("size").GetInt64(), checkpoint.Size);
        Assert.Equal(expected.GetProperty("rootHashBase64").GetString(), Convert.ToBase64String(checkpoint.RootHash.Span));
        Assert.Empty(checkpoint.Extensions);
        Assert.Equal(result.Note!.Text, checkpoint.ToNoteText());
    }

    [Theory]
    [MemberData(nameof(Negative))]
    public void Open_NegativeVector_IsRejected(string id)
    {
        var vector = Load("negative", id);
        var verifier = NoteVerifier.Parse(SignedNoteVectors.VerifierKeys(vector));

        var result = verifier.Open(Encoding.UTF8.GetBytes(vector.GetProperty("note").GetString()!));

        Assert.False(result.IsValid, $"{id} ({vector.GetProperty("expect").GetString()}) was accepted");
        Assert.Empty(result.VerifiedBy);
    }

    [Fact]
    public void Parse_NoBlankLineVector_IsMalformed()
    {
        var vector = SignedNoteVectors.Find("negative", "no-blank-line");

        Assert.False(SignedNote.TryParse(vector.GetProperty("note").GetString()!, out _, out var error));
        Assert.Contains("blank line", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NoteVerifierKey_CosignatureVkey_IsType04WithMatchingKeyId()
    {
        var vector = SignedNoteVectors.Find("cosignature", "cosig-vkey-type04");
        var vkey = vector.GetProperty("vkey").GetString()!;

        // Parse checks the stated key ID against SHA-256(name || 0x0A || 0x04 || key).
        var key = NoteVerifierKey.Parse(vkey);

        Assert.Equal(NoteSignatureType.CosignatureV1, key.SignatureType);
        Assert.Equal(32, key.PublicKey.Length);
        Assert.Equal(vkey.Split('+')[1], key.KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(vkey, key.ToString());
    }

    [Fact]
    public void CosignatureTryReadTimestamp_LayoutVector_SplitsKeyIdTimestampAndSignature()
    {
        var vector = SignedNoteVectors.Find("cosignature", "cosig-signature-layout");
        var expect = vector.GetProperty("expect");
        var base64 = vector.GetProperty("signatureBase64").GetString()!;

        var signature = NoteSignature.FromBase64("witness.example", base64);

        Assert.Equal(expect.GetProperty("totalBytes").GetInt32(), Convert.FromBase64String(base64).Length);
        Assert.Equal(Convert.ToUInt32(expect.GetProperty("keyIdHex").GetString(), 16), signature.KeyId);
        Assert.True(Cosignature.TryReadTimestamp(signature, out var timestamp));
        Assert.Equal(expect.GetProperty("timestampBigEndianUint64").GetUInt64(), timestamp);
        Assert.Equal(expect.GetProperty("ed25519SignatureBytes").GetInt32(), signature.Signature.Length - 8);
        Assert.Equal(base64, signature.Base64);
    }

    [Fact]
    public void ComputeKeyId_Ed25519KeyUsedAsCosigner_GivesCosignerKeyId()
    {
        var vector = SignedNoteVectors.Find("cosignature", "ed25519-vkey-to-cosig-keyid");
        var expected = CosignerKeyId().Match(vector.GetProperty("expect").GetString()!);
        Assert.True(expected.Success, "the vector's expect text no longer names the 0x04 key ID");

        var key = NoteVerifierKey.Parse(vector.GetProperty("vkey").GetString()!);
        var cosigner = NoteVerifierKey.Create(key.Name, NoteSignatureType.CosignatureV1, key.PublicKey.Span);

        Assert.Equal(NoteSignatureType.Ed25519, key.SignatureType);
        Assert.Equal(Convert.ToUInt32(expected.Groups[1].Value, 16), cosigner.KeyId);
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(System.Security.Cryptography.SHA256.HashData([.. Encoding.UTF8.GetBytes(key.Name), 0x0A, 0x04, .. key.PublicKey.Span])), cosigner.KeyId);
    }

    private static System.Text.Json.JsonElement Load(string section, string id)
    {
        Amber.Testing.SharedData.RequireVectors("signed-note");
        Assert.NotEqual(Amber.Testing.SharedData.Missing, id);
        return SignedNoteVectors.Find(section, id);
    }

    [GeneratedRegex("0x04 cosigner has key ID ([0-9a-f]{8})")]
    private static partial Regex CosignerKeyId();
}

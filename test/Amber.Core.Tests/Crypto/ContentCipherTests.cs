using System.Security.Cryptography;
using System.Text;
using Amber.Core.Crypto;

namespace Amber.Core.Tests.Crypto;

public sealed class ContentCipherTests
{
    [Fact]
    public void EncryptThenDecrypt_GivesThePlaintextBack_WithTheDocumentedOverhead()
    {
        using var random = RandomNumberGenerator.Create();
        using var cipher = new ContentCipher(DataKey.Create(random), random);
        var plaintext = Encoding.UTF8.GetBytes("{\"role\":\"user\",\"text\":\"the canary is yellow\"}");

        var sealedBytes = cipher.Encrypt(plaintext, "conversation-1/frame"u8);

        Assert.Equal(plaintext.Length + 28, sealedBytes.Length);
        Assert.DoesNotContain("canary", Encoding.UTF8.GetString(sealedBytes), StringComparison.Ordinal);
        Assert.Equal(plaintext, cipher.Decrypt(sealedBytes, "conversation-1/frame"u8, "segment 3 frame 9"));
    }

    [Fact]
    public void Decrypt_OtherAssociatedDataOrFlippedBit_IsRefusedNamingTheSource()
    {
        using var random = RandomNumberGenerator.Create();
        using var cipher = new ContentCipher(DataKey.Create(random), random);
        var sealedBytes = cipher.Encrypt("hello"u8, "conversation-1"u8);

        var moved = Assert.Throws<KeyAccessException>(() => cipher.Decrypt(sealedBytes, "conversation-2"u8, "segment 3 frame 9"));
        sealedBytes[14] ^= 1;
        var flipped = Assert.Throws<KeyAccessException>(() => cipher.Decrypt(sealedBytes, "conversation-1"u8, "segment 3 frame 9"));

        Assert.StartsWith("segment 3 frame 9: ", moved.Message, StringComparison.Ordinal);
        Assert.StartsWith("segment 3 frame 9: ", flipped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_TooShort_IsARecordError()
    {
        using var random = RandomNumberGenerator.Create();
        using var cipher = new ContentCipher(DataKey.Create(random), random);

        var e = Assert.Throws<KeyRecordException>(() => cipher.Decrypt(new byte[27], [], "blob x"));

        Assert.Contains("27 bytes are too few", e.Message, StringComparison.Ordinal);
    }
}

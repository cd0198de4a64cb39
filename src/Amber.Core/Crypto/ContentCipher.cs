using System.Security.Cryptography;

namespace Amber.Core.Crypto;

/// <summary>
/// Encrypts one piece of a conversation's content (a frame's payload, a blob) under its data key with AES-256-GCM:
/// output = nonce (12, random) ‖ ciphertext ‖ tag (16), i.e. <see cref="Overhead"/> bytes more than the plaintext.
/// The caller's associated data says where the bytes belong (docs/format/encryption.md §5), so they cannot be
/// swapped with another conversation's or another place's.
/// </summary>
public sealed class ContentCipher : IDisposable
{
    public const int Overhead = WrappedKey.NonceLength + WrappedKey.TagLength;

    private readonly AesGcm aes;
    private readonly RandomNumberGenerator random;

    public ContentCipher(ReadOnlySpan<byte> dataKey, RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (dataKey.Length != DataKey.Length)
        {
            throw new ArgumentException($"a data key is {DataKey.Length} bytes (got {dataKey.Length}).", nameof(dataKey));
        }

        aes = new AesGcm(dataKey, WrappedKey.TagLength);
        this.random = random;
    }

    /// <summary>Writes nonce ‖ ciphertext ‖ tag of <paramref name="plaintext"/> into <paramref name="output"/> (plaintext length + <see cref="Overhead"/>).</summary>
    public void Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> output)
    {
        if (output.Length != plaintext.Length + Overhead)
        {
            throw new ArgumentException($"the output is {plaintext.Length + Overhead} bytes for {plaintext.Length} bytes of plaintext (got {output.Length}).", nameof(output));
        }

        var nonce = output[..WrappedKey.NonceLength];
        random.GetBytes(nonce);
        aes.Encrypt(nonce, plaintext, output.Slice(WrappedKey.NonceLength, plaintext.Length), output[^WrappedKey.TagLength..], associatedData);
    }

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[plaintext.Length + Overhead];
        Encrypt(plaintext, associatedData, output);
        return output;
    }

    /// <summary>The plaintext of <paramref name="sealedBytes"/>; <paramref name="source"/> names them in the error when they do not authenticate.</summary>
    public byte[] Decrypt(ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData, string source)
    {
        if (sealedBytes.Length < Overhead)
        {
            throw new KeyRecordException($"{source}: {sealedBytes.Length} bytes are too few for encrypted content (nonce and tag alone are {Overhead}).");
        }

        var plaintext = new byte[sealedBytes.Length - Overhead];
        try
        {
            aes.Decrypt(sealedBytes[..WrappedKey.NonceLength], sealedBytes[WrappedKey.NonceLength..^WrappedKey.TagLength], sealedBytes[^WrappedKey.TagLength..], plaintext, associatedData);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new KeyAccessException($"{source}: the encrypted content does not authenticate (altered, moved from elsewhere, or another data key).", e);
        }

        return plaintext;
    }

    public void Dispose() => aes.Dispose();
}

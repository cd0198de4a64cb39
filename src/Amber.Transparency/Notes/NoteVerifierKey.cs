using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Amber.Transparency.Notes;

/// <summary>
/// A verifier key (vkey): <c>&lt;name&gt;+&lt;8 hex key ID&gt;+base64(type byte || public key)</c>. Supports
/// Ed25519 note signatures (0x01) and Ed25519 witness cosignatures (0x04).
/// </summary>
public sealed class NoteVerifierKey
{
    private const int Ed25519KeyLength = 32;
    private const int Ed25519SignatureLength = 64;

    private readonly byte[] publicKey;
    private readonly PublicKey key;

    private NoteVerifierKey(string name, byte signatureType, byte[] publicKey, PublicKey key)
    {
        Name = name;
        SignatureType = signatureType;
        this.publicKey = publicKey;
        this.key = key;
        KeyId = ComputeKeyId(name, signatureType, publicKey);
    }

    public string Name { get; }

    /// <summary>SHA-256(name || 0x0A || type || public key)[0..4], big-endian.</summary>
    public uint KeyId { get; }

    /// <summary>One of <see cref="NoteSignatureType"/>.</summary>
    public byte SignatureType { get; }

    /// <summary>The raw 32-byte Ed25519 public key.</summary>
    public ReadOnlyMemory<byte> PublicKey => publicKey;

    /// <summary>The key ID of <paramref name="publicKey"/> under <paramref name="name"/> and <paramref name="signatureType"/>.</summary>
    public static uint ComputeKeyId(string name, byte signatureType, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[nameBytes.Length + 2 + publicKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = 0x0A;
        input[nameBytes.Length + 1] = signatureType;
        publicKey.CopyTo(input.AsSpan(nameBytes.Length + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }

    /// <summary>A verifier for a raw Ed25519 public key used with <paramref name="signatureType"/>.</summary>
    public static NoteVerifierKey Create(string name, byte signatureType, ReadOnlySpan<byte> publicKey)
        => TryCreate(name, signatureType, publicKey, out var created, out var error) ? created : throw new ArgumentException(error);

    /// <summary>Reads a vkey line; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static NoteVerifierKey Parse(string vkey)
        => TryParse(vkey, out var parsed, out var error) ? parsed : throw new FormatException(error);

    public static bool TryParse(string vkey, [NotNullWhen(true)] out NoteVerifierKey? parsed, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(vkey);
        parsed = null;

        // The base64 part may itself contain '+': split on the first two only.
        var parts = vkey.Split('+', 3);
        if (parts.Length != 3)
        {
            error = $"\"{vkey}\" is not a verifier key (expected name+hexid+base64).";
            return false;
        }

        if (parts[1].Length != 8 || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var keyId))
        {
            error = $"Verifier key \"{parts[0]}\": the key ID \"{parts[1]}\" is not 8 hex digits.";
            return false;
        }

        if (!StrictBase64.TryDecode(parts[2], out var blob) || blob.Length < 2)
        {
            error = $"Verifier key \"{parts[0]}\": the key is not canonical base64 of a type byte and a public key.";
            return false;
        }

        if (!TryCreate(parts[0], blob[0], blob.AsSpan(1), out parsed, out error))
        {
            return false;
        }

        if (parsed.KeyId != keyId)
        {
            error = $"Verifier key \"{parts[0]}\": key ID {parts[1]} does not match the key (computed {parsed.KeyId:x8}).";
            parsed = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Checks <paramref name="signature"/> (the bytes after the key ID) over the note <paramref name="text"/>
    /// by this key's algorithm.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> text, ReadOnlySpan<byte> signature)
    {
        switch (SignatureType)
        {
            case NoteSignatureType.Ed25519:
                return signature.Length == Ed25519SignatureLength && SignatureAlgorithm.Ed25519.Verify(key, text, signature);
            case NoteSignatureType.CosignatureV1:
                if (signature.Length != Cosignature.Length)
                {
                    return false;
                }

                var message = Cosignature.SignedMessage(BinaryPrimitives.ReadUInt64BigEndian(signature), text);
                return SignatureAlgorithm.Ed25519.Verify(key, message, signature[8..]);
            default:
                return false;
        }
    }

    /// <summary>The vkey text.</summary>
    public override string ToString()
        => $"{Name}+{KeyId:x8}+{Convert.ToBase64String([SignatureType, .. publicKey])}";

    private static bool TryCreate(string name, byte signatureType, ReadOnlySpan<byte> publicKey, [NotNullWhen(true)] out NoteVerifierKey? created, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(name);
        created = null;
        error = NoteText.CheckKeyName(name);
        if (error is not null)
        {
            return false;
        }

        if (signatureType is not (NoteSignatureType.Ed25519 or NoteSignatureType.CosignatureV1))
        {
            error = $"Verifier key \"{name}\": signature type 0x{signatureType:x2} is not supported (only 0x01 Ed25519 and 0x04 Ed25519 cosignatures).";
            return false;
        }

        if (publicKey.Length != Ed25519KeyLength
            || !NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var imported)
            || imported is null)
        {
            error = $"Verifier key \"{name}\": not a {Ed25519KeyLength}-byte Ed25519 public key.";
            return false;
        }

        created = new NoteVerifierKey(name, signatureType, publicKey.ToArray(), imported);
        return true;
    }
}

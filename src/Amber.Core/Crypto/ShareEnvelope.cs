namespace Amber.Core.Crypto;

/// <summary>
/// One trustee's share inside a seal: encrypted to the trustee's X25519 public key (an ephemeral key pair per share,
/// HKDF-SHA256, AES-256-GCM), plus a check hash that lets unseal name a wrong share (docs/format/encryption.md §7).
/// </summary>
public sealed class ShareEnvelope
{
    public const int CheckLength = 32;

    internal ShareEnvelope(byte index, Trustee trustee, ReadOnlySpan<byte> ephemeralPublicKey, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> check)
    {
        Index = index;
        Trustee = trustee;
        EphemeralPublicKey = ephemeralPublicKey.ToArray();
        Nonce = nonce.ToArray();
        Ciphertext = ciphertext.ToArray();
        Check = check.ToArray();
    }

    /// <summary>The share's x coordinate (1–255).</summary>
    public byte Index { get; }

    public Trustee Trustee { get; }

    public ReadOnlyMemory<byte> EphemeralPublicKey { get; }

    public ReadOnlyMemory<byte> Nonce { get; }

    /// <summary>The encrypted share value followed by the 16-byte tag.</summary>
    public ReadOnlyMemory<byte> Ciphertext { get; }

    /// <summary>SHA-256 over the seal's header, the index and the share value: a given share is checked before it is combined.</summary>
    public ReadOnlyMemory<byte> Check { get; }
}

using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Amber.Core.Crypto;

/// <summary>
/// Seals a data key K-of-N to trustees and opens it again (docs/format/encryption.md §7). Each share is encrypted
/// to its trustee with a fresh ephemeral X25519 key: key = HKDF-SHA256(X25519(e, T), salt = e_pub ‖ T_pub,
/// info = "amber/seal/share/v1"), AES-256-GCM with the seal's header, the index and the trustee as associated data.
/// </summary>
public static class KeySeal
{
    private static readonly byte[] CommitmentLabel = "amber/seal/commitment/v1"u8.ToArray();
    private static readonly byte[] CheckLabel = "amber/seal/share-check/v1"u8.ToArray();
    private static readonly byte[] ShareInfo = "amber/seal/share/v1"u8.ToArray();

    public static SealedKey Seal(string tenant, string conversationId, ReadOnlySpan<byte> dataKey, IReadOnlyList<Trustee> trustees, int threshold, RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(trustees);
        ArgumentNullException.ThrowIfNull(random);
        KeyRecordFields.CheckId(tenant, "tenant id");
        KeyRecordFields.CheckId(conversationId, "conversation id");
        if (dataKey.Length != DataKey.Length)
        {
            throw new ArgumentException($"a data key is {DataKey.Length} bytes (got {dataKey.Length}).", nameof(dataKey));
        }

        if (trustees.Count > Shamir.MaxShares)
        {
            throw new ArgumentException($"a seal has at most {Shamir.MaxShares} trustees (got {trustees.Count}).", nameof(trustees));
        }

        if (threshold < 2 || threshold > trustees.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"the threshold K is 2 to the number of trustees ({trustees.Count}): a seal needs several trustees together.");
        }

        if (trustees.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != trustees.Count)
        {
            throw new ArgumentException("two trustees have the same name.", nameof(trustees));
        }

        var header = SealedKey.Header(tenant, conversationId, threshold, trustees.Count);
        var commitment = HMACSHA256.HashData(dataKey, (byte[])[.. CommitmentLabel, .. header]);
        byte[] bound = [.. header, .. commitment];
        var shares = Shamir.Split(dataKey, threshold, trustees.Count, random);
        var envelopes = new List<ShareEnvelope>(shares.Count);
        for (var s = 0; s < shares.Count; s++)
        {
            envelopes.Add(Encrypt(bound, shares[s], trustees[s], random));
        }

        return new SealedKey(tenant, conversationId, threshold, commitment, envelopes);
    }

    /// <summary>The share of <paramref name="seal"/> encrypted to <paramref name="trustee"/>, opened with the trustee's private key.</summary>
    public static ShamirShare OpenShare(SealedKey seal, TrusteeKeyPair trustee)
    {
        ArgumentNullException.ThrowIfNull(seal);
        ArgumentNullException.ThrowIfNull(trustee);
        var envelope = seal.Shares.FirstOrDefault(e => e.Trustee.PublicKey.Span.SequenceEqual(trustee.Trustee.PublicKey.Span))
            ?? throw new KeyAccessException($"the seal of conversation {seal.ConversationId} holds no share for the key of trustee '{trustee.Trustee.Name}' (its trustees: {Names(seal)}).");
        var bound = seal.BoundHeader();
        var key = ShareKey(trustee.Key, envelope.EphemeralPublicKey.Span, envelope.Trustee.PublicKey.Span)
            ?? throw new KeyAccessException($"share {envelope.Index} of the seal of conversation {seal.ConversationId} has an invalid ephemeral key.");
        var value = new byte[DataKey.Length];
        try
        {
            using var aes = new AesGcm(key, WrappedKey.TagLength);
            aes.Decrypt(envelope.Nonce.Span, envelope.Ciphertext.Span[..DataKey.Length], envelope.Ciphertext.Span[DataKey.Length..], value, Associated(bound, envelope.Index, envelope.Trustee));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new KeyAccessException($"share {envelope.Index} (trustee '{envelope.Trustee.Name}') of the seal of conversation {seal.ConversationId} does not decrypt: the seal record was altered.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return new ShamirShare(envelope.Index, value);
    }

    /// <summary>
    /// The data key, from at least K of the seal's shares. Each share is checked against its envelope first (a wrong
    /// share is named), then the recombined key against the commitment.
    /// </summary>
    public static byte[] Unseal(SealedKey seal, IReadOnlyList<ShamirShare> shares)
    {
        ArgumentNullException.ThrowIfNull(seal);
        ArgumentNullException.ThrowIfNull(shares);
        var bound = seal.BoundHeader();
        var distinct = new Dictionary<byte, ShamirShare>();
        foreach (var share in shares)
        {
            var envelope = seal.Shares.FirstOrDefault(e => e.Index == share.Index)
                ?? throw new KeyAccessException($"share {share.Index} is not one of the seal of conversation {seal.ConversationId} (its shares are 1 to {seal.Shares.Count}).");
            if (!CryptographicOperations.FixedTimeEquals(Check(bound, share.Index, share.Value.Span), envelope.Check.Span))
            {
                throw new KeyAccessException($"share {share.Index} (trustee '{envelope.Trustee.Name}') is wrong: it is not the share sealed for that trustee in the seal of conversation {seal.ConversationId}.");
            }

            distinct.TryAdd(share.Index, share);
        }

        if (distinct.Count < seal.Threshold)
        {
            throw new KeyAccessException($"{distinct.Count} of the {seal.Threshold} shares needed to unseal conversation {seal.ConversationId} were given (trustees: {Names(seal)}); {seal.Threshold - distinct.Count} more are needed.");
        }

        var key = Shamir.Combine([.. distinct.Values]);
        var header = SealedKey.Header(seal.Tenant, seal.ConversationId, seal.Threshold, seal.Shares.Count);
        var commitment = HMACSHA256.HashData(key, (byte[])[.. CommitmentLabel, .. header]);
        if (!CryptographicOperations.FixedTimeEquals(commitment, seal.Commitment.Span))
        {
            CryptographicOperations.ZeroMemory(key);
            throw new KeyAccessException($"the shares combine to a key that does not match the commitment of the seal of conversation {seal.ConversationId}.");
        }

        return key;
    }

    private static ShareEnvelope Encrypt(byte[] bound, ShamirShare share, Trustee trustee, RandomNumberGenerator random)
    {
        using var ephemeral = TrusteeKeyPair.Create("ephemeral", random);
        var ephemeralPublic = ephemeral.Trustee.PublicKey.Span;
        var trusteePublic = PublicKey.Import(KeyAgreementAlgorithm.X25519, trustee.PublicKey.Span, KeyBlobFormat.RawPublicKey);
        var key = Agree(ephemeral.Key, trusteePublic, ephemeralPublic, trustee.PublicKey.Span)
            ?? throw new ArgumentException($"the public key of trustee '{trustee.Name}' is not a usable X25519 key (a low-order point).", nameof(trustee));
        Span<byte> nonce = stackalloc byte[WrappedKey.NonceLength];
        random.GetBytes(nonce);
        var ciphertext = new byte[DataKey.Length + WrappedKey.TagLength];
        try
        {
            using var aes = new AesGcm(key, WrappedKey.TagLength);
            aes.Encrypt(nonce, share.Value.Span, ciphertext.AsSpan(0, DataKey.Length), ciphertext.AsSpan(DataKey.Length), Associated(bound, share.Index, trustee));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return new ShareEnvelope(share.Index, trustee, ephemeralPublic, nonce, ciphertext, Check(bound, share.Index, share.Value.Span));
    }

    private static byte[]? ShareKey(Key privateKey, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> trusteePublic)
    {
        if (!PublicKey.TryImport(KeyAgreementAlgorithm.X25519, ephemeralPublic, KeyBlobFormat.RawPublicKey, out var other) || other is null)
        {
            return null;
        }

        return Agree(privateKey, other, ephemeralPublic, trusteePublic);
    }

    private static byte[]? Agree(Key privateKey, PublicKey other, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> trusteePublic)
    {
        using var secret = KeyAgreementAlgorithm.X25519.Agree(privateKey, other);
        if (secret is null)
        {
            return null;
        }

        byte[] salt = [.. ephemeralPublic, .. trusteePublic];
        return KeyDerivationAlgorithm.HkdfSha256.DeriveBytes(secret, salt, ShareInfo, 32);
    }

    private static byte[] Associated(byte[] bound, byte index, Trustee trustee)
        => [.. bound, index, .. Encoding.UTF8.GetBytes(trustee.Name), .. trustee.PublicKey.Span];

    private static byte[] Check(byte[] bound, byte index, ReadOnlySpan<byte> value)
        => SHA256.HashData([.. CheckLabel, .. bound, index, .. value]);

    private static string Names(SealedKey seal) => string.Join(", ", seal.Shares.Select(s => s.Trustee.Name));
}

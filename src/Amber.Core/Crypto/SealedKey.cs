namespace Amber.Core.Crypto;

/// <summary>
/// A conversation's data key sealed K-of-N (docs/format/encryption.md §7): split with <see cref="Shamir"/>, one share
/// per trustee, each encrypted to that trustee; the commitment lets unseal check the recombined key. The record takes
/// the place of the conversation's <see cref="WrappedKey"/>, so without K trustees nothing opens the content.
/// </summary>
public sealed class SealedKey
{
    /// <summary>"AMSL": Amber sealed key.</summary>
    public static ReadOnlySpan<byte> Magic => "AMSL"u8;

    public const byte CurrentFormatVersion = 1;

    /// <summary>Shamir over GF(256) of the 32-byte data key; shares X25519 + HKDF-SHA256 + AES-256-GCM.</summary>
    public const byte SchemeShamirX25519 = 1;

    public const int CommitmentLength = 32;

    internal SealedKey(string tenant, string conversationId, int threshold, ReadOnlySpan<byte> commitment, IReadOnlyList<ShareEnvelope> shares)
    {
        Tenant = tenant;
        ConversationId = conversationId;
        Threshold = threshold;
        Commitment = commitment.ToArray();
        Shares = shares;
    }

    public string Tenant { get; }

    public string ConversationId { get; }

    /// <summary>K: how many shares open the seal.</summary>
    public int Threshold { get; }

    /// <summary>HMAC-SHA256 keyed with the data key over the header before it.</summary>
    public ReadOnlyMemory<byte> Commitment { get; }

    public IReadOnlyList<ShareEnvelope> Shares { get; }

    public byte[] Encode()
    {
        var output = Header(Tenant, ConversationId, Threshold, Shares.Count);
        output.AddRange(Commitment.Span);
        foreach (var share in Shares)
        {
            output.Add(share.Index);
            KeyRecordFields.WriteId(output, share.Trustee.Name);
            output.AddRange(share.Trustee.PublicKey.Span);
            output.AddRange(share.EphemeralPublicKey.Span);
            output.AddRange(share.Nonce.Span);
            output.AddRange(share.Ciphertext.Span);
            output.AddRange(share.Check.Span);
        }

        return [.. output];
    }

    public static SealedKey Decode(ReadOnlySpan<byte> bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var reader = new KeyRecordFields.Reader(bytes, source, "sealed key record");
        if (!reader.Take(4, "magic").SequenceEqual(Magic))
        {
            throw reader.Fail("magic", "it is not \"AMSL\"", 0);
        }

        var version = reader.Byte("format version");
        if (version != CurrentFormatVersion)
        {
            throw reader.Fail("format version", $"version {version} is not known (this build reads version {CurrentFormatVersion})", 4);
        }

        var scheme = reader.Byte("scheme");
        if (scheme != SchemeShamirX25519)
        {
            throw reader.Fail("scheme", $"scheme {scheme} is not known (1 = Shamir GF(256), X25519 shares)", 5);
        }

        var tenant = reader.Id("tenant id");
        var conversation = reader.Id("conversation id");
        var thresholdAt = reader.Offset;
        var threshold = reader.Byte("threshold");
        var count = reader.Byte("share count");
        if (threshold < 2 || threshold > count)
        {
            throw reader.Fail("threshold", $"a threshold of {threshold} with {count} shares is not a seal (2 ≤ K ≤ N)", thresholdAt);
        }

        var commitment = reader.Take(CommitmentLength, "commitment");
        var shares = new List<ShareEnvelope>(count);
        var indexes = new HashSet<byte>();
        for (var s = 0; s < count; s++)
        {
            var at = reader.Offset;
            var index = reader.Byte($"share {s + 1} index");
            if (index == 0 || !indexes.Add(index))
            {
                throw reader.Fail($"share {s + 1} index", index == 0 ? "index 0 is not a share" : $"index {index} appears twice", at);
            }

            var name = reader.Id($"share {s + 1} trustee name");
            var problem = Trustee.CheckName(name);
            if (problem is not null)
            {
                throw reader.Fail($"share {s + 1} trustee name", problem.TrimEnd('.'), at + 1);
            }

            var trustee = new Trustee(name, reader.Take(Trustee.PublicKeyLength, $"share {s + 1} trustee key"));
            var ephemeral = reader.Take(Trustee.PublicKeyLength, $"share {s + 1} ephemeral key");
            var nonce = reader.Take(WrappedKey.NonceLength, $"share {s + 1} nonce");
            var ciphertext = reader.Take(DataKey.Length + WrappedKey.TagLength, $"share {s + 1} ciphertext");
            var check = reader.Take(ShareEnvelope.CheckLength, $"share {s + 1} check");
            shares.Add(new ShareEnvelope(index, trustee, ephemeral, nonce, ciphertext, check));
        }

        reader.End();
        return new SealedKey(tenant, conversation, threshold, commitment, shares);
    }

    /// <summary>Magic through share count: what the commitment covers.</summary>
    internal static List<byte> Header(string tenant, string conversationId, int threshold, int count)
    {
        var output = new List<byte>(128);
        output.AddRange(Magic);
        output.Add(CurrentFormatVersion);
        output.Add(SchemeShamirX25519);
        KeyRecordFields.WriteId(output, tenant);
        KeyRecordFields.WriteId(output, conversationId);
        output.Add((byte)threshold);
        output.Add((byte)count);
        return output;
    }

    /// <summary>The header with the commitment: what every share is bound to.</summary>
    internal byte[] BoundHeader()
    {
        var output = Header(Tenant, ConversationId, Threshold, Shares.Count);
        output.AddRange(Commitment.Span);
        return [.. output];
    }
}

namespace Amber.Core.Crypto;

/// <summary>
/// A conversation's data key encrypted under one version of its tenant's key (docs/format/encryption.md §3). The
/// header (magic through conversation id) is the AEAD's associated data, so a record moved to another conversation or
/// tenant, or relabelled with another key version or algorithm, fails to open.
/// </summary>
public sealed class WrappedKey
{
    /// <summary>"AMWK": Amber wrapped key.</summary>
    public static ReadOnlySpan<byte> Magic => "AMWK"u8;

    public const byte CurrentFormatVersion = 1;

    public const int NonceLength = 12;

    public const int TagLength = 16;

    internal WrappedKey(KeyAlgorithm algorithm, string tenant, int keyVersion, string conversationId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag)
    {
        Algorithm = algorithm;
        Tenant = tenant;
        KeyVersion = keyVersion;
        ConversationId = conversationId;
        Nonce = nonce.ToArray();
        Ciphertext = ciphertext.ToArray();
        Tag = tag.ToArray();
    }

    public KeyAlgorithm Algorithm { get; }

    public string Tenant { get; }

    /// <summary>The version of the tenant key this record is wrapped under.</summary>
    public int KeyVersion { get; }

    public string ConversationId { get; }

    public ReadOnlyMemory<byte> Nonce { get; }

    public ReadOnlyMemory<byte> Ciphertext { get; }

    public ReadOnlyMemory<byte> Tag { get; }

    public byte[] Encode()
    {
        var output = Header();
        output.AddRange(Nonce.Span);
        output.AddRange(Ciphertext.Span);
        output.AddRange(Tag.Span);
        return [.. output];
    }

    /// <summary>Reads a record written by <see cref="Encode"/>; <paramref name="source"/> names it in errors (a file, a row).</summary>
    public static WrappedKey Decode(ReadOnlySpan<byte> bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var reader = new KeyRecordFields.Reader(bytes, source, "wrapped key record");
        if (!reader.Take(4, "magic").SequenceEqual(Magic))
        {
            throw reader.Fail("magic", "it is not \"AMWK\"", 0);
        }

        var version = reader.Byte("format version");
        if (version != CurrentFormatVersion)
        {
            throw reader.Fail("format version", $"version {version} is not known (this build reads version {CurrentFormatVersion})", 4);
        }

        var algorithm = reader.Byte("algorithm");
        if (algorithm != (byte)KeyAlgorithm.Aes256Gcm)
        {
            throw reader.Fail("algorithm", $"algorithm {algorithm} is not known (1 = AES-256-GCM)", 5);
        }

        var keyVersion = reader.UInt32("tenant key version");
        if (keyVersion is 0 or > int.MaxValue)
        {
            throw reader.Fail("tenant key version", $"{keyVersion} is not a version (1 to {int.MaxValue})", 6);
        }

        var tenant = reader.Id("tenant id");
        var conversation = reader.Id("conversation id");
        var nonce = reader.Take(NonceLength, "nonce");
        var ciphertext = reader.Take(DataKey.Length, "wrapped data key");
        var tag = reader.Take(TagLength, "tag");
        reader.End();
        return new WrappedKey((KeyAlgorithm)algorithm, tenant, (int)keyVersion, conversation, nonce, ciphertext, tag);
    }

    /// <summary>The associated data: every byte before the nonce.</summary>
    internal static List<byte> Header(KeyAlgorithm algorithm, string tenant, int keyVersion, string conversationId)
    {
        var output = new List<byte>(96);
        output.AddRange(Magic);
        output.Add(CurrentFormatVersion);
        output.Add((byte)algorithm);
        KeyRecordFields.WriteUInt32(output, (uint)keyVersion);
        KeyRecordFields.WriteId(output, tenant);
        KeyRecordFields.WriteId(output, conversationId);
        return output;
    }

    internal List<byte> Header() => Header(Algorithm, Tenant, KeyVersion, ConversationId);
}

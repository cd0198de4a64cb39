using System.Security.Cryptography;
using Amber.Core.Crypto;

namespace Amber.Core.Tests.Crypto;

public sealed class KeyWrapTests
{
    private const string Conversation = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

    /// <summary>
    /// docs/format/encryption.md §3 vector, computed independently with Python's cryptography (AESGCM): tenant key
    /// 00…1f (tenant "acme", version 2), data key 20…3f, nonce 40…4b.
    /// </summary>
    private const string VectorHex =
        "414d574b0101000000020461636d65477368613235363a32633236623436623638666663363866663939623435336331643330343133343133343232643730363438336266613066393861356538383632363665376165"
        + "404142434445464748494a4b" + "c2988c000219a124e5ed3d1db7493d7449f7606f830039144f7e74deab2ed3e4" + "1e5aa80a8e06ea83df9c6b8610d3b66d";

    [Fact]
    public void Wrap_DocumentVector_GivesTheDocumentedBytes()
    {
        var tenantKey = new TenantKey("acme", 2, Bytes(0x00, 32));
        var wrapped = KeyWrap.Wrap(tenantKey, Conversation, Bytes(0x20, 32), new SeededRandom(0, Bytes(0x40, 12)));

        Assert.Equal(VectorHex, Convert.ToHexStringLower(wrapped.Encode()));
        Assert.Equal(Bytes(0x20, 32), KeyWrap.Unwrap(tenantKey, WrappedKey.Decode(Convert.FromHexString(VectorHex), "vector")));
    }

    [Fact]
    public void WrapThenUnwrap_AfterEncodeDecode_GivesTheDataKeyBack()
    {
        using var random = RandomNumberGenerator.Create();
        var tenantKey = new TenantKey("tenant:0123", 1, RandomNumberGenerator.GetBytes(32));
        var dataKey = DataKey.Create(random);

        var record = WrappedKey.Decode(KeyWrap.Wrap(tenantKey, Conversation, dataKey, random).Encode(), "test");

        Assert.Equal(("tenant:0123", 1, Conversation, KeyAlgorithm.Aes256Gcm), (record.Tenant, record.KeyVersion, record.ConversationId, record.Algorithm));
        Assert.Equal(dataKey, KeyWrap.Unwrap(tenantKey, record));
    }

    [Fact]
    public void Wrap_SameKeyTwice_UsesFreshNonces()
    {
        using var random = RandomNumberGenerator.Create();
        var tenantKey = new TenantKey("acme", 1, Bytes(0, 32));

        var a = KeyWrap.Wrap(tenantKey, Conversation, Bytes(0x20, 32), random);
        var b = KeyWrap.Wrap(tenantKey, Conversation, Bytes(0x20, 32), random);

        Assert.NotEqual(a.Nonce.ToArray(), b.Nonce.ToArray());
        Assert.NotEqual(a.Ciphertext.ToArray(), b.Ciphertext.ToArray());
    }

    [Theory]
    [InlineData(90)] // nonce
    [InlineData(120)] // wrapped data key
    [InlineData(140)] // tag
    [InlineData(12)] // tenant id, part of the associated data
    public void Unwrap_OneBitFlipped_IsRefusedAsAltered(int offset)
    {
        var bytes = Convert.FromHexString(VectorHex);
        bytes[offset] ^= 0x04;
        var record = WrappedKey.Decode(bytes, "vector");
        var tenantKey = new TenantKey(record.Tenant, 2, Bytes(0x00, 32));

        var e = Assert.Throws<KeyAccessException>(() => KeyWrap.Unwrap(tenantKey, record));
        Assert.Contains("does not authenticate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unwrap_RecordMovedToAnotherConversation_IsRefused()
    {
        // Same length id, so the record still parses: only the AAD binding can catch the move.
        var other = Conversation[..^1] + "f";
        var bytes = Convert.FromHexString(VectorHex.Replace(Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(Conversation)), Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(other)), StringComparison.Ordinal));
        var record = WrappedKey.Decode(bytes, "moved");

        Assert.Equal(other, record.ConversationId);
        var e = Assert.Throws<KeyAccessException>(() => KeyWrap.Unwrap(new TenantKey("acme", 2, Bytes(0x00, 32)), record));
        Assert.Contains(other, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unwrap_WrongVersionOrTenant_SaysWhichKeyIsNeeded()
    {
        var record = WrappedKey.Decode(Convert.FromHexString(VectorHex), "vector");

        var version = Assert.Throws<KeyAccessException>(() => KeyWrap.Unwrap(new TenantKey("acme", 1, Bytes(0x00, 32)), record));
        var tenant = Assert.Throws<KeyAccessException>(() => KeyWrap.Unwrap(new TenantKey("other", 2, Bytes(0x00, 32)), record));

        Assert.Contains("version 2", version.Message, StringComparison.Ordinal);
        Assert.Contains("tenant 'acme', not 'other'", tenant.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unwrap_WrongKeyMaterial_IsRefused()
    {
        var record = WrappedKey.Decode(Convert.FromHexString(VectorHex), "vector");

        Assert.Throws<KeyAccessException>(() => KeyWrap.Unwrap(new TenantKey("acme", 2, Bytes(0x01, 32)), record));
    }

    [Fact]
    public void Rewrap_UnderNewVersion_KeepsTheDataKeyAndRefusesTheOldVersion()
    {
        using var random = RandomNumberGenerator.Create();
        var v1 = new TenantKey("acme", 1, RandomNumberGenerator.GetBytes(32));
        var v2 = new TenantKey("acme", 2, RandomNumberGenerator.GetBytes(32));
        var dataKey = DataKey.Create(random);

        var rewrapped = KeyWrap.Rewrap(v1, v2, KeyWrap.Wrap(v1, Conversation, dataKey, random), random);

        Assert.Equal(2, rewrapped.KeyVersion);
        Assert.Equal(dataKey, KeyWrap.Unwrap(v2, rewrapped));
        Assert.Throws<KeyAccessException>(() => KeyWrap.Unwrap(v1, rewrapped));
    }

    [Theory]
    [InlineData("", "vector: not a valid wrapped key record: magic at byte 0: the record ends after 0 bytes, 4 more were needed.")]
    [InlineData("414d574c", "vector: not a valid wrapped key record: magic at byte 0: it is not \"AMWK\".")]
    [InlineData("414d574b02", "vector: not a valid wrapped key record: format version at byte 4: version 2 is not known (this build reads version 1).")]
    [InlineData("414d574b0107", "vector: not a valid wrapped key record: algorithm at byte 5: algorithm 7 is not known (1 = AES-256-GCM).")]
    [InlineData("414d574b010100000000", "vector: not a valid wrapped key record: tenant key version at byte 6: 0 is not a version (1 to 2147483647).")]
    [InlineData("414d574b01010000000100", "vector: not a valid wrapped key record: tenant id at byte 10: it is empty.")]
    [InlineData("414d574b0101000000010161", "vector: not a valid wrapped key record: conversation id length at byte 12: the record ends after 12 bytes, 1 more were needed.")]
    public void Decode_BadBytes_NamesTheFieldAndTheProblem(string hex, string message)
    {
        var e = Assert.Throws<KeyRecordException>(() => WrappedKey.Decode(Convert.FromHexString(hex), "vector"));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Decode_TrailingBytes_AreRefused()
    {
        var e = Assert.Throws<KeyRecordException>(() => WrappedKey.Decode(Convert.FromHexString(VectorHex + "00"), "keys.db row 7"));

        Assert.Equal("keys.db row 7: not a valid wrapped key record: end at byte 147: 1 bytes follow the last field.", e.Message);
    }

    internal static byte[] Bytes(int first, int count) => [.. Enumerable.Range(first, count).Select(i => (byte)i)];
}

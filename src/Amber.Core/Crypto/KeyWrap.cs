using System.Security.Cryptography;

namespace Amber.Core.Crypto;

/// <summary>
/// Wraps and unwraps data keys under tenant keys with AES-256-GCM: a fresh random 12-byte nonce per wrap (a tenant key
/// wraps one key per conversation and per rotation, far below the 2^32 random-nonce bound), the record's header as
/// associated data. Rotation re-wraps; content encrypted under the data key is never touched.
/// </summary>
public static class KeyWrap
{
    public static WrappedKey Wrap(TenantKey tenantKey, string conversationId, ReadOnlySpan<byte> dataKey, RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(tenantKey);
        ArgumentNullException.ThrowIfNull(random);
        KeyRecordFields.CheckId(conversationId, "conversation id");
        if (dataKey.Length != DataKey.Length)
        {
            throw new ArgumentException($"a data key is {DataKey.Length} bytes (got {dataKey.Length}).", nameof(dataKey));
        }

        Span<byte> nonce = stackalloc byte[WrappedKey.NonceLength];
        random.GetBytes(nonce);
        Span<byte> ciphertext = stackalloc byte[DataKey.Length];
        Span<byte> tag = stackalloc byte[WrappedKey.TagLength];
        var header = WrappedKey.Header(KeyAlgorithm.Aes256Gcm, tenantKey.Tenant, tenantKey.Version, conversationId);
        using (var aes = new AesGcm(tenantKey.Material, WrappedKey.TagLength))
        {
            aes.Encrypt(nonce, dataKey, ciphertext, tag, header.ToArray());
        }

        return new WrappedKey(KeyAlgorithm.Aes256Gcm, tenantKey.Tenant, tenantKey.Version, conversationId, nonce, ciphertext, tag);
    }

    /// <summary>
    /// The data key of <paramref name="wrapped"/>. Throws <see cref="KeyAccessException"/> when the tenant key is not
    /// the one the record names, or when the record does not authenticate (altered, or bound to another conversation).
    /// </summary>
    public static byte[] Unwrap(TenantKey tenantKey, WrappedKey wrapped)
    {
        ArgumentNullException.ThrowIfNull(tenantKey);
        ArgumentNullException.ThrowIfNull(wrapped);
        if (!string.Equals(tenantKey.Tenant, wrapped.Tenant, StringComparison.Ordinal))
        {
            throw new KeyAccessException($"the data key of conversation {wrapped.ConversationId} belongs to tenant '{wrapped.Tenant}', not '{tenantKey.Tenant}'.");
        }

        if (tenantKey.Version != wrapped.KeyVersion)
        {
            throw new KeyAccessException($"the data key of conversation {wrapped.ConversationId} is wrapped under version {wrapped.KeyVersion} of tenant '{wrapped.Tenant}''s key, not version {tenantKey.Version}.");
        }

        var dataKey = new byte[DataKey.Length];
        try
        {
            using var aes = new AesGcm(tenantKey.Material, WrappedKey.TagLength);
            aes.Decrypt(wrapped.Nonce.Span, wrapped.Ciphertext.Span, wrapped.Tag.Span, dataKey, wrapped.Header().ToArray());
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new KeyAccessException($"the wrapped data key of conversation {wrapped.ConversationId} (tenant '{wrapped.Tenant}', key version {wrapped.KeyVersion}) does not authenticate: the record was altered, moved from another conversation, or the tenant key is not the one it was wrapped with.", e);
        }

        return dataKey;
    }

    /// <summary>Rotation: the same data key, unwrapped under <paramref name="from"/> and wrapped again under <paramref name="to"/> (a newer version of the same tenant's key).</summary>
    public static WrappedKey Rewrap(TenantKey from, TenantKey to, WrappedKey wrapped, RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(wrapped);
        if (!string.Equals(from.Tenant, to.Tenant, StringComparison.Ordinal))
        {
            throw new ArgumentException($"a rotation stays within one tenant ('{from.Tenant}' → '{to.Tenant}').", nameof(to));
        }

        var dataKey = Unwrap(from, wrapped);
        try
        {
            return Wrap(to, wrapped.ConversationId, dataKey, random);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}

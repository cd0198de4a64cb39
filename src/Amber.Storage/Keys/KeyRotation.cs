using System.Security.Cryptography;
using Amber.Core.Crypto;

namespace Amber.Storage.Keys;

/// <summary>
/// Tenant key rotation without touching content (docs/format/encryption.md §9): every data key wrapped under an older
/// version is unwrapped with that version and wrapped again under the current one. Content stays encrypted under the
/// same data keys; only the small wrapped-key records change.
/// </summary>
public static class KeyRotation
{
    /// <summary>
    /// The records re-wrapped under <paramref name="current"/>; records already under it are returned as they are.
    /// Every record is opened before any is returned, so a record that does not open fails the whole batch.
    /// </summary>
    public static IReadOnlyList<WrappedKey> Rewrap(IKeyProvider provider, TenantKey current, IEnumerable<WrappedKey> records, RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(records);
        var older = new Dictionary<int, TenantKey>();
        var result = new List<WrappedKey>();
        foreach (var record in records)
        {
            if (!string.Equals(record.Tenant, current.Tenant, StringComparison.Ordinal))
            {
                throw new KeyAccessException($"the data key of conversation {record.ConversationId} belongs to tenant '{record.Tenant}'; this rotation is of tenant '{current.Tenant}'.");
            }

            if (record.KeyVersion == current.Version)
            {
                result.Add(record);
                continue;
            }

            if (!older.TryGetValue(record.KeyVersion, out var from))
            {
                from = provider.GetKey(record.Tenant, record.KeyVersion);
                older[record.KeyVersion] = from;
            }

            result.Add(KeyWrap.Rewrap(from, current, record, random));
        }

        return result;
    }
}

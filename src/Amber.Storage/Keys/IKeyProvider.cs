using Amber.Core.Crypto;

namespace Amber.Storage.Keys;

/// <summary>
/// Where tenant keys come from (docs/format/encryption.md §2). A tenant key wraps the tenant's data keys; it is never
/// written into the archive. Versions start at 1 and only grow: <see cref="Rotate"/> makes a new current version and
/// keeps the older ones readable until the data keys wrapped under them are re-wrapped and the old version retired.
/// </summary>
/// <remarks>
/// Providers here: <see cref="FileKeyProvider"/> (a key file per tenant, mode 0600) and
/// <see cref="EnvironmentKeyProvider"/> (tenant keys derived from master keys in environment variables). A cloud KMS
/// plugs in at this interface: its provider keeps each tenant key encrypted under a KMS key (the KMS's own envelope)
/// and returns it decrypted from <see cref="GetKey"/>, or — for a KMS that never releases keys — implements
/// wrap/unwrap as KMS calls behind the same records (encryption.md §2.3).
/// </remarks>
public interface IKeyProvider
{
    /// <summary>What the provider reads, for messages and <c>stats</c> (e.g. <c>file:/archive/keys</c>).</summary>
    string Description { get; }

    /// <summary>Version <paramref name="version"/> of the tenant's key; <see cref="KeyProviderException"/> if it does not exist (never made, or retired).</summary>
    TenantKey GetKey(string tenant, int version);

    /// <summary>The newest version of the tenant's key, or false if the tenant has none yet.</summary>
    bool TryGetCurrentKey(string tenant, out TenantKey key);

    /// <summary>Version 1 of a new tenant's key; <see cref="KeyProviderException"/> if the tenant already has one.</summary>
    TenantKey Create(string tenant);

    /// <summary>A new current version; earlier versions stay readable (re-wrap with <see cref="KeyRotation"/>, then <see cref="Retire"/>).</summary>
    TenantKey Rotate(string tenant);

    /// <summary>Destroys an older version once nothing is wrapped under it; the current version cannot be retired.</summary>
    void Retire(string tenant, int version);
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Amber.Core.Crypto;

namespace Amber.Storage.Keys;

/// <summary>
/// The data keys of an encrypted archive's conversations (encryption.md §1, §4): read from <c>keys.db</c> and unwrapped
/// with the tenant key from the provider, cached in memory for the process. Without a provider (verify with no key)
/// no key is ever returned and content reads as locked. Thread-safe.
/// </summary>
internal sealed class ContentKeys : IDisposable
{
    /// <summary>The tenant a commit with no tenant label belongs to, for its data keys.</summary>
    public const string DefaultTenant = "default";

    private readonly ConcurrentDictionary<string, byte[]> cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> tenants = new(StringComparer.Ordinal); // a row's tenant never changes
    private readonly RandomNumberGenerator random;
    private readonly TimeProvider time;

    public ContentKeys(KeyStore store, IKeyProvider? provider, byte[] archiveId, RandomNumberGenerator random, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(archiveId);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(time);
        Store = store;
        Provider = provider;
        ArchiveId = archiveId;
        this.random = random;
        this.time = time;
    }

    public KeyStore Store { get; }

    /// <summary>The provider as archive.json names it (<c>file</c>, <c>env</c>).</summary>
    public string? ProviderName { get; init; }

    /// <summary>Where data keys and nonces come from (the archive's injected source).</summary>
    internal RandomNumberGenerator Random => random;

    /// <summary>Where tenant keys come from; null when the archive was opened with no key (content is then locked).</summary>
    public IKeyProvider? Provider { get; }

    /// <summary>The archive's 16-byte id: the first part of every content block's associated data.</summary>
    public byte[] ArchiveId { get; }

    /// <summary>The data key of <paramref name="conversation"/>, creating and storing one (wrapped under the tenant's current key) if it has none.</summary>
    public byte[] ForWriting(string conversation, string? tenant)
    {
        if (cache.TryGetValue(conversation, out var cached))
        {
            return cached;
        }

        var provider = Provider ?? throw new KeyProviderException("this archive is encrypted and was opened with no key provider: nothing can be written (set AMBER_KEYS_DIR or AMBER_MASTER_KEY_1).");
        var existing = Store.Get(conversation);
        if (existing is not null)
        {
            return Open(existing) ?? throw new KeyAccessException($"conversation {conversation} is {KeyStore.Describe(existing.State)}: nothing more can be added to it.");
        }

        var owner = tenant ?? DefaultTenant;
        var tenantKey = CurrentOrNew(provider, owner);
        var dataKey = DataKey.Create(random);
        var record = KeyWrap.Wrap(tenantKey, conversation, dataKey, random).Encode();
        if (!Store.TryAdd(conversation, owner, record, Amber.Core.Time.Timestamps.Format(time.GetUtcNow())))
        {
            CryptographicOperations.ZeroMemory(dataKey);
            return ForWriting(conversation, tenant); // another writer's row won
        }

        cache[conversation] = dataKey;
        tenants[conversation] = owner;
        return dataKey;
    }

    /// <summary>
    /// Makes sure every conversation of a group of commits has a data key, each under its commit's tenant, before any
    /// block is encrypted: the new ones are created and stored in one keys.db transaction, so a group commit pays one
    /// keys.db sync however many commits and tenants it holds (the writer calls this once per group).
    /// </summary>
    public void PrepareForWriting(IEnumerable<(string Conversation, string? Tenant)> conversations)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<(string Conversation, string Owner)>();
        foreach (var (conversation, tenant) in conversations)
        {
            // A conversation keys.db already holds is found by the insert below (taken), not by a lookup each.
            if (seen.Add(conversation) && !cache.ContainsKey(conversation) && !tenants.ContainsKey(conversation))
            {
                missing.Add((conversation, tenant ?? DefaultTenant));
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        var provider = Provider ?? throw new KeyProviderException("this archive is encrypted and was opened with no key provider: nothing can be written (set AMBER_KEYS_DIR or AMBER_MASTER_KEY_1).");
        var tenantKeys = new Dictionary<string, TenantKey>(StringComparer.Ordinal);
        var created = new List<(string Conversation, string Owner, byte[] Key)>(missing.Count);
        foreach (var (conversation, owner) in missing)
        {
            if (!tenantKeys.TryGetValue(owner, out var tenantKey))
            {
                tenantKeys[owner] = tenantKey = CurrentOrNew(provider, owner);
            }

            created.Add((conversation, owner, DataKey.Create(random)));
        }

        var taken = Store.AddMany([.. created.Select(c => (c.Conversation, c.Owner, KeyWrap.Wrap(tenantKeys[c.Owner], c.Conversation, c.Key, random).Encode()))],
            Amber.Core.Time.Timestamps.Format(time.GetUtcNow()));
        var existing = taken.ToHashSet(StringComparer.Ordinal);
        foreach (var (conversation, owner, key) in created)
        {
            if (existing.Contains(conversation))
            {
                CryptographicOperations.ZeroMemory(key); // its row was there already (or another writer's won); ForWriting reads it
            }
            else
            {
                cache[conversation] = key;
                tenants[conversation] = owner;
            }
        }
    }

    /// <summary>
    /// The tenant's current key, made (version 1) only for a tenant keys.db knows nothing of. A provider with no key for
    /// a tenant whose data keys are already here is the wrong provider (another key folder, another master key): making
    /// a new key would wrap new content under a key no other process of this archive has, so it is refused.
    /// </summary>
    internal TenantKey CurrentOrNew(IKeyProvider provider, string tenant)
    {
        if (provider.TryGetCurrentKey(tenant, out var key))
        {
            return key;
        }

        if (Store.HasTenant(tenant))
        {
            throw new KeyProviderException($"{Store.Path} holds data keys of tenant '{tenant}', but the key provider ({provider.Description}) has no key for it: give the provider that made them (AMBER_KEYS_DIR, or AMBER_MASTER_KEY_n).");
        }

        return provider.Create(tenant);
    }

    /// <summary>The data key of <paramref name="conversation"/>, or null when it is sealed, shredded, unknown, or no provider is given.</summary>
    public byte[]? TryForReading(string conversation)
    {
        if (cache.TryGetValue(conversation, out var cached))
        {
            return cached;
        }

        if (Provider is null || Store.Get(conversation) is not { } row)
        {
            return null;
        }

        return Open(row);
    }

    /// <summary>The tenant whose key wraps <paramref name="conversation"/>'s data key (keys.db's <c>tenant</c>), or null when keys.db has no row for it.</summary>
    public string? TenantOf(string conversation)
    {
        if (tenants.TryGetValue(conversation, out var tenant))
        {
            return tenant;
        }

        if (Store.Get(conversation) is not { } row)
        {
            return null;
        }

        tenants[conversation] = row.Tenant;
        return row.Tenant;
    }

    /// <summary>Forgets a cached key (after a shred or seal, so this process cannot read on from memory).</summary>
    public void Forget(string conversation)
    {
        if (cache.TryRemove(conversation, out var key))
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private byte[]? Open(KeyRow row)
    {
        if (row.State != KeyState.Wrapped || row.Record is null || Provider is null)
        {
            return null;
        }

        var wrapped = WrappedKey.Decode(row.Record, $"{Store.Path} row {row.Subject}");
        var key = KeyWrap.Unwrap(Provider.GetKey(wrapped.Tenant, wrapped.KeyVersion), wrapped);
        cache[row.Subject] = key;
        tenants[row.Subject] = row.Tenant;
        return key;
    }

    public void Dispose()
    {
        foreach (var key in cache.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }

        cache.Clear();
        Store.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Amber.Core.Crypto;

namespace Amber.Storage.Keys;

/// <summary>
/// The data keys of an encrypted archive's conversations (encryption.md §1, §4): read from <c>keys.db</c> and unwrapped
/// with the tenant key from the provider, cached in memory for the process. A new conversation takes a key made ahead
/// (<see cref="SparePool"/>, §4.1), which the indexer then files under it (<see cref="Adopt"/>). Without a provider
/// (verify with no key) no key is ever returned and content reads as locked. Thread-safe.
/// </summary>
internal sealed class ContentKeys : IDisposable
{
    /// <summary>The tenant a commit with no tenant label belongs to, for its data keys.</summary>
    public const string DefaultTenant = "default";

    private readonly ConcurrentDictionary<string, byte[]> cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> tenants = new(StringComparer.Ordinal); // a row's tenant never changes
    // Conversation → the spare its blocks name, until keys.db files the key under the conversation: claimed by this
    // process's writer, or learnt from frames by the index's catch-up.
    private readonly ConcurrentDictionary<string, string> unfiled = new(StringComparer.Ordinal);
    private readonly Lock lockedGate = new();
    private HashSet<string>? locked; // sealed and shredded subjects, read once
    private readonly SparePool pool;
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
        pool = new SparePool(store, tenant => CurrentOrNew(Provider ?? throw NoProvider(), tenant),
            wrapped => KeyWrap.Unwrap((Provider ?? throw NoProvider()).GetKey(wrapped.Tenant, wrapped.KeyVersion), wrapped), random, time, m => Log?.Invoke(m));
    }

    /// <summary>Where a failure off any caller's path (a refill of the keys made ahead) is reported.</summary>
    public Action<string>? Log { get; init; }

    public KeyStore Store { get; }

    /// <summary>The provider as archive.json names it (<c>file</c>, <c>env</c>).</summary>
    public string? ProviderName { get; init; }

    /// <summary>Where data keys and nonces come from (the archive's injected source).</summary>
    internal RandomNumberGenerator Random => random;

    /// <summary>Where tenant keys come from; null when the archive was opened with no key (content is then locked).</summary>
    public IKeyProvider? Provider { get; }

    /// <summary>The archive's 16-byte id: the first part of every content block's associated data.</summary>
    public byte[] ArchiveId { get; }

    /// <summary>
    /// The data key of <paramref name="conversation"/> for a block being written, and the spare subject to name in the
    /// block's header while keys.db still files the key under it (encryption.md §4.1), else null. A conversation with
    /// no key takes one made ahead; a sealed or shredded one is refused.
    /// </summary>
    public (byte[] Key, string? Spare) ForWriting(string conversation, string? tenant)
    {
        if (cache.TryGetValue(conversation, out var cached))
        {
            // Read after the key: the indexer drops the claim only once keys.db files the key under the conversation.
            return (cached, unfiled.GetValueOrDefault(conversation));
        }

        _ = Provider ?? throw NoProvider();
        if (Store.Get(conversation) is { } existing)
        {
            return (Open(existing) ?? throw new KeyAccessException($"conversation {conversation} is {KeyStore.Describe(existing.State)}: nothing more can be added to it."), null);
        }

        var owner = tenant ?? DefaultTenant;
        var (spare, key) = pool.Take(owner, 1)[0];
        Claim(conversation, owner, spare, key);
        return (key, spare);
    }

    /// <summary>
    /// The key filed under <paramref name="subject"/> itself, made and stored at once (one keys.db transaction) when it
    /// has none: a tenant's index key (§6), which no block names and so is never made ahead.
    /// </summary>
    public byte[] FiledAtOnce(string subject, string tenant)
    {
        if (cache.TryGetValue(subject, out var cached))
        {
            return cached;
        }

        var provider = Provider ?? throw NoProvider();
        if (Store.Get(subject) is { } existing)
        {
            return Open(existing) ?? throw new KeyAccessException($"the key {subject} is {KeyStore.Describe(existing.State)}.");
        }

        var dataKey = DataKey.Create(random);
        var record = KeyWrap.Wrap(CurrentOrNew(provider, tenant), subject, dataKey, random).Encode();
        if (!Store.TryAdd(subject, tenant, record, Amber.Core.Time.Timestamps.Format(time.GetUtcNow())))
        {
            CryptographicOperations.ZeroMemory(dataKey);
            return FiledAtOnce(subject, tenant); // another process's row won
        }

        cache[subject] = dataKey;
        tenants[subject] = tenant;
        return dataKey;
    }

    /// <summary>
    /// Gives every conversation of a group of commits its data key before any block is encrypted (encryption.md §4.1):
    /// a conversation the archive holds (<paramref name="known"/>: this process's acknowledged commits or the index) or
    /// that keys.db says is sealed or shredded (kept in memory) has its row read; a new one takes a key made ahead, from
    /// memory, with no keys.db read, write or sync. Only when the tenant's spares have run dry are keys made here, the
    /// group's in one transaction.
    /// </summary>
    public void PrepareForWriting(IEnumerable<(string Conversation, string? Tenant)> conversations, Func<string, bool> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var wanted = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (conversation, tenant) in conversations)
        {
            if (!seen.Add(conversation) || cache.ContainsKey(conversation))
            {
                continue;
            }

            // Held already (the index or this process's acknowledged commits), or sealed or shredded (kept in memory: a
            // rebuilt index no longer holds these): its own row decides. A row that neither knows of is one no frame
            // uses; a spare claimed beside it is held, not filed (KeyStore.Adopt), and nothing is lost.
            if (known(conversation) || IsLocked(conversation))
            {
                var row = Store.Get(conversation);
                if (row is { State: KeyState.Wrapped })
                {
                    Open(row);
                }

                if (row is not null)
                {
                    continue; // sealed or shredded: the encoder's ForWriting refuses it, naming which
                }
            }

            var owner = tenant ?? DefaultTenant;
            if (!wanted.TryGetValue(owner, out var list))
            {
                wanted[owner] = list = [];
            }

            list.Add(conversation);
        }

        if (wanted.Count == 0)
        {
            return;
        }

        _ = Provider ?? throw NoProvider();
        foreach (var (owner, list) in wanted)
        {
            var spares = pool.Take(owner, list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                Claim(list[i], owner, spares[i].Subject, spares[i].Key);
            }
        }
    }

    private void Claim(string conversation, string owner, string spare, byte[] key)
    {
        unfiled[conversation] = spare; // before the key: a writer that finds the key finds its spare's name
        tenants[conversation] = owner;
        cache[conversation] = key;
    }

    /// <summary>
    /// Files keys made ahead under the conversations whose blocks name them (encryption.md §4.1; the index's
    /// <see cref="Catalogue.KeyFiling"/> calls this): one keys.db transaction. A spare already filed is left alone. The
    /// writer stops naming a spare once it is filed.
    /// </summary>
    public void Adopt(IReadOnlyList<(string Spare, string Conversation)> names)
    {
        if (names.Count == 0)
        {
            return;
        }

        Store.Adopt(names, Amber.Core.Time.Timestamps.Format(time.GetUtcNow()));
        foreach (var (spare, conversation) in names)
        {
            // Filed now or earlier (or, never reached, held): the writer stops naming it; a read finds the row either way.
            unfiled.TryRemove(new KeyValuePair<string, string>(conversation, spare));
        }
    }

    /// <summary>
    /// Notes the key names frames give (the index's catch-up reads frames written by an earlier process): until they are
    /// filed, a read of the conversation by its id alone — its index title (§6) — finds its key by the name.
    /// </summary>
    public void Learn(IReadOnlyList<(string Conversation, string Spare)> names)
    {
        foreach (var (conversation, spare) in names)
        {
            unfiled.TryAdd(conversation, spare);
        }
    }

    /// <summary>
    /// Files now the key this process made ahead (or learnt of) for <paramref name="conversation"/> (or for every
    /// conversation when null) if it is not yet: shred, seal and rotation act on keys.db rows by conversation. What an earlier process
    /// made ahead was filed when this one opened the archive.
    /// </summary>
    public void FileNow(string? conversation = null)
        => Adopt([.. unfiled.Where(c => conversation is null || c.Key == conversation).Select(c => (c.Value, c.Key))]);

    /// <summary>Holds back the making of keys ahead until disposed (a rotation: no key is wrapped under the version it retires).</summary>
    public IDisposable PauseMakingKeys() => pool.Pause();

    /// <summary>Keys made ahead in this process, and those of them made on a commit's path because a tenant's spares ran dry.</summary>
    internal (long Made, long MadeOnPath) SpareCounts => (pool.Made, pool.MadeOnPath);

    /// <summary>Whether keys.db says <paramref name="conversation"/> is sealed or shredded (read once, then kept by this process's seals, unseals and shreds).</summary>
    private bool IsLocked(string conversation)
    {
        lock (lockedGate)
        {
            locked ??= Store.LockedSubjects().ToHashSet(StringComparer.Ordinal);
            return locked.Contains(conversation);
        }
    }

    /// <summary>Reads the sealed and shredded subjects again at the next need (an index rebuild: what it no longer holds, keys.db says).</summary>
    public void ReloadLocked()
    {
        lock (lockedGate)
        {
            locked = null;
        }
    }

    /// <summary>Notes a seal or shred made by this process (and forgets the key); <paramref name="isLocked"/> false for an unseal.</summary>
    public void MarkLocked(string conversation, bool isLocked = true)
    {
        lock (lockedGate)
        {
            if (isLocked)
            {
                locked?.Add(conversation);
            }
            else
            {
                locked?.Remove(conversation);
            }
        }

        if (isLocked)
        {
            Forget(conversation);
        }
    }

    private static KeyProviderException NoProvider()
        => new("this archive is encrypted and was opened with no key provider: nothing can be written (set AMBER_KEYS_DIR or AMBER_MASTER_KEY_1).");

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

    /// <summary>
    /// The data key of <paramref name="conversation"/>, or null when it is sealed, shredded, unknown, or no provider is
    /// given. <paramref name="spare"/> is the subject a block names when it was written under a key made ahead that
    /// keys.db may not yet file under the conversation (§4.1); once filed, the conversation's own row holds it.
    /// </summary>
    public byte[]? TryForReading(string conversation, string? spare = null)
    {
        if (cache.TryGetValue(conversation, out var cached))
        {
            return cached;
        }

        if (Provider is null)
        {
            return null;
        }

        spare ??= unfiled.GetValueOrDefault(conversation);
        if (spare is not null && KeyStore.SpareNumber(spare) is not null && Store.Get(spare) is { State: KeyState.Wrapped, Record: { } record })
        {
            // Not cached: the key is the conversation's only once the indexer files it so, and is then read by its id.
            var wrapped = WrappedKey.Decode(record, $"{Store.Path} row {spare}");
            return KeyWrap.Unwrap(Provider.GetKey(wrapped.Tenant, wrapped.KeyVersion), wrapped);
        }

        return Store.Get(conversation) is { } row ? Open(row) : null;
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
        unfiled.TryRemove(conversation, out _);
        // Dropped, not zeroed: the writer or the index may be encrypting under this very array right now, and zeroing it
        // under them would seal that block or title under an all-zero key anyone can open. keys.db no longer holds the
        // key (shred) or holds it sealed, so what they write is as unreadable as the rest; the array goes with the GC.
        cache.TryRemove(conversation, out _);
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
        pool.Dispose();
        foreach (var key in cache.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }

        cache.Clear();
        Store.Dispose();
    }
}

using System.Text.Json.Nodes;
using Amber.Storage.Keys;

namespace Amber.Storage;

/// <summary>Encryption at rest (docs/format/encryption.md): archive.json's <c>"encryption"</c>, <c>keys.db</c> and the data keys.</summary>
public sealed partial class Archive
{
    /// <summary>True when this archive encrypts each conversation's content under its own data key.</summary>
    public bool IsEncrypted => segments.ContentKeys is not null;

    /// <summary>The key provider of an encrypted archive as archive.json names it (<c>file</c>, <c>env</c>), or null.</summary>
    public string? KeyProviderName { get; private set; }

    /// <summary>What the key provider given to this process reads (e.g. <c>file:/home/u/.local/share/amber/keys/ID</c>); null when none was given.</summary>
    public string? KeyProviderDescription => segments.ContentKeys?.Provider?.Description;

    /// <summary>The archive's <c>keys.db</c> (null when not encrypted).</summary>
    public KeyStore? KeyStore => segments.ContentKeys?.Store;

    internal ContentKeys? ContentKeys => segments.ContentKeys;

    /// <summary>The annotation kind of a shred's tombstone in the log (encryption.md §10).</summary>
    public const string ShreddedKind = "shredded";

    /// <summary>
    /// Shreds a conversation, or the conversations holding an instance (encryption.md §10): appends a tombstone to the
    /// log (an annotation of kind <c>shredded</c> holding SHA-256 of the reason, never the reason), destroys the data
    /// key in keys.db (secure_delete, then VACUUM), drops every decoded copy this process holds, and rebuilds the index
    /// from the segments, in which the conversation's blocks no longer open, into a new file. The log and every proof
    /// still verify; nothing of the content can be read again. Backups taken before the shred are not touched.
    /// </summary>
    public ShredResult Shred(string id, string reason, IProgress<ScanProgress>? progress = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var keys = ContentKeys ?? throw new InvalidOperationException($"{Directory} is not encrypted: content stored in the clear cannot be destroyed without rewriting its segments (archives made with `amber init` encrypt by default).");
        if (IsReadOnly)
        {
            throw new InvalidOperationException($"shredding needs the writer lock of {Directory}; another process holds it.");
        }

        if (keys.Store.Get(id) is { State: Keys.KeyState.Shredded } done)
        {
            throw new InvalidOperationException($"conversation {id} was already shredded ({done.Changed}).");
        }

        IReadOnlyList<string> conversations = keys.Store.Get(id) is not null ? [id] : ConversationsOf(id); // a conversation has a keys.db row; an instance is a node
        if (conversations.Count == 0)
        {
            throw new ArgumentException($"no conversation or instance {id} in {Directory}.", nameof(id));
        }

        var rows = conversations.Select(c => keys.Store.Get(c) ?? throw new InvalidOperationException($"conversation {c} has no data key in {keys.Store.Path}: it was stored before encryption or keys.db was damaged, and cannot be shredded.")).ToList();
        var now = options.TimeProvider.GetUtcNow();
        var reasonDigest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(reason)));
        var tombstone = new CommitBatch("amber:shred");
        foreach (var c in conversations)
        {
            tombstone.AddAnnotation(new Amber.Core.Model.Annotation
            {
                Target = c,
                Kind = ShreddedKind,
                Created = Amber.Core.Time.Timestamps.Format(now),
                Data = new JsonObject { ["reason_sha256"] = "sha256:" + reasonDigest },
            });
        }

        // The tombstone first: if the shred stops after it, running it again finishes (the key is destroyed then).
        var logged = Commit(tombstone);
        foreach (var row in rows)
        {
            keys.Store.Shred(row.Subject, row.Tenant, Amber.Core.Time.Timestamps.Format(now), reason);
            keys.Forget(row.Subject);
        }

        segments.ForgetDecodedFrames();
        RebuildIndex(progress);
        return new ShredResult(conversations, logged.Sequence);
    }

    /// <summary>
    /// Rotates tenant keys without touching content (encryption.md §9): a new current version of each tenant's key (or of
    /// <paramref name="tenant"/>'s), every data key wrapped under an older version re-wrapped under it in one keys.db
    /// transaction, then the older versions retired when the provider can destroy them (the file provider; the
    /// environment provider says which variable to unset). Returns per tenant the new version, the records re-wrapped,
    /// and what could not be retired.
    /// </summary>
    public IReadOnlyList<KeyRotationResult> RotateKeys(string? tenant = null)
    {
        var keys = ContentKeys ?? throw new InvalidOperationException($"{Directory} is not encrypted: it has no keys to rotate.");
        var provider = keys.Provider ?? throw new Keys.KeyProviderException("rotating keys needs the key provider (set AMBER_KEYS_DIR or AMBER_MASTER_KEY_n).");
        var tenants = tenant is not null ? [tenant] : keys.Store.List(Keys.KeyState.Wrapped).Select(r => r.Tenant).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var results = new List<KeyRotationResult>();
        foreach (var t in tenants)
        {
            Amber.Core.Crypto.TenantKey current;
            try
            {
                current = provider.Rotate(t);
            }
            catch (Keys.KeyProviderException) when (provider is Keys.EnvironmentKeyProvider && provider.TryGetCurrentKey(t, out var set))
            {
                current = set; // the operator made the new master key current by setting AMBER_MASTER_KEY_n+1
            }

            var rows = keys.Store.List(Keys.KeyState.Wrapped, t);
            var records = rows.Select(r => Amber.Core.Crypto.WrappedKey.Decode(r.Record!, $"{keys.Store.Path} row {r.Subject}")).ToList();
            var rewrapped = Keys.KeyRotation.Rewrap(provider, current, records, keys.Random);
            keys.Store.Replace(rewrapped.Select(w => (w.ConversationId, Keys.KeyState.Wrapped, w.Encode())), Amber.Core.Time.Timestamps.Format(options.TimeProvider.GetUtcNow()), "key rotation");
            var notRetired = new List<string>();
            foreach (var old in records.Select(r => r.KeyVersion).Where(v => v != current.Version).Distinct().Order())
            {
                try
                {
                    provider.Retire(t, old);
                }
                catch (Keys.KeyProviderException e)
                {
                    notRetired.Add(e.Message);
                }
            }

            results.Add(new KeyRotationResult(t, current.Version, records.Count(r => r.KeyVersion != current.Version), notRetired));
        }

        return results;
    }

    /// <summary>
    /// Seals a conversation K-of-N to trustees (encryption.md §7): its data key is split with Shamir's scheme, each share
    /// encrypted to one trustee's X25519 key, and the sealed record replaces the wrapped one in keys.db. From then on
    /// nothing can read it (show, revive, export and the viewer say "sealed") until <see cref="Unseal"/> gets K shares.
    /// </summary>
    public void Seal(string conversationId, IReadOnlyList<Amber.Core.Crypto.Trustee> trustees, int threshold, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(trustees);
        var keys = ContentKeys ?? throw new InvalidOperationException($"{Directory} is not encrypted: a conversation stored in the clear cannot be sealed.");
        var row = keys.Store.Get(conversationId) ?? throw new ArgumentException($"no encrypted conversation {conversationId} in {Directory} (seal takes a conversation id).", nameof(conversationId));
        if (row.State != Keys.KeyState.Wrapped)
        {
            throw new InvalidOperationException($"conversation {conversationId} is already {Keys.KeyStore.Describe(row.State)}.");
        }

        var dataKey = keys.TryForReading(conversationId) ?? throw new Keys.KeyProviderException("sealing needs the key provider, to open the data key it seals.");
        var sealedKey = Amber.Core.Crypto.KeySeal.Seal(row.Tenant, conversationId, dataKey, trustees, threshold, keys.Random);
        keys.Store.Replace([(conversationId, Keys.KeyState.Sealed, sealedKey.Encode())], Amber.Core.Time.Timestamps.Format(options.TimeProvider.GetUtcNow()), reason);
        keys.Forget(conversationId);
        segments.ForgetDecodedFrames();
    }

    /// <summary>
    /// Unseals a conversation with its trustees' private keys (each opens that trustee's share): fewer than K, or a key
    /// that is no trustee's of this seal, fails naming what is missing or wrong; K give the data key back, wrapped again
    /// under the tenant's current key.
    /// </summary>
    public void Unseal(string conversationId, IReadOnlyList<Amber.Core.Crypto.TrusteeKeyPair> trusteeKeys)
    {
        ArgumentNullException.ThrowIfNull(trusteeKeys);
        var keys = ContentKeys ?? throw new InvalidOperationException($"{Directory} is not encrypted: nothing in it is sealed.");
        var provider = keys.Provider ?? throw new Keys.KeyProviderException("unsealing needs the key provider, to wrap the data key again.");
        var row = keys.Store.Get(conversationId) ?? throw new ArgumentException($"no encrypted conversation {conversationId} in {Directory}.", nameof(conversationId));
        if (row.State != Keys.KeyState.Sealed)
        {
            throw new InvalidOperationException($"conversation {conversationId} is {Keys.KeyStore.Describe(row.State)}, not sealed.");
        }

        var seal = Amber.Core.Crypto.SealedKey.Decode(row.Record!, $"{keys.Store.Path} row {conversationId}");
        var shares = trusteeKeys.Select(t => Amber.Core.Crypto.KeySeal.OpenShare(seal, t)).ToList();
        var dataKey = Amber.Core.Crypto.KeySeal.Unseal(seal, shares);
        if (!provider.TryGetCurrentKey(row.Tenant, out var tenantKey))
        {
            tenantKey = provider.Create(row.Tenant);
        }

        var wrapped = Amber.Core.Crypto.KeyWrap.Wrap(tenantKey, conversationId, dataKey, keys.Random);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(dataKey);
        keys.Store.Replace([(conversationId, Keys.KeyState.Wrapped, wrapped.Encode())], Amber.Core.Time.Timestamps.Format(options.TimeProvider.GetUtcNow()), null);
        segments.ForgetDecodedFrames();
    }

    private static JsonObject EncryptionManifest(ArchiveOptions options, ArchivePaths paths, string idHex, bool encrypt)
    {
        if (!encrypt)
        {
            return new JsonObject { ["enabled"] = false };
        }

        var provider = options.KeyProvider?.Invoke(idHex)
            ?? throw new KeyProviderException("an encrypted archive needs a key provider (a keys folder or AMBER_MASTER_KEY_1); none was given.");
        KeyStore.Open(Path.Combine(paths.Root, KeyStore.FileName), create: true).Dispose();
        var colon = provider.Description.IndexOf(':', StringComparison.Ordinal);
        return new JsonObject
        {
            ["enabled"] = true,
            ["cipher"] = "aes-256-gcm",
            ["provider"] = colon < 0 ? provider.Description : provider.Description[..colon],
        };
    }

    private void OpenContentKeys(JsonObject manifest)
    {
        if (manifest["encryption"] is not JsonObject encryption || encryption["enabled"]?.GetValue<bool>() != true)
        {
            return;
        }

        KeyProviderName = encryption["provider"]?.GetValue<string>();
        var store = KeyStore.Open(Path.Combine(paths.Root, KeyStore.FileName), create: false);
        try
        {
            var provider = options.KeyProvider?.Invoke(ArchiveId);
            segments.ContentKeys = new ContentKeys(store, provider, Convert.FromHexString(ArchiveId), new InjectedRandom(options.Random), options.TimeProvider);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }
}

using System.Text.Json.Nodes;

namespace Amber.Storage.Keys;

/// <summary>The work behind <see cref="Archive.Shred"/>, <see cref="Archive.RotateKeys"/>, <see cref="Archive.Seal"/> and <see cref="Archive.Unseal"/> (kept apart so <see cref="Archive"/> stays small).</summary>
internal static class EncryptionOperations
{
    public static ShredResult Shred(Archive archive, string id, string reason, IProgress<ScanProgress>? progress)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var keys = archive.Encryption.ContentKeys ?? throw new InvalidOperationException($"{archive.Directory} is not encrypted: content stored in the clear cannot be destroyed without rewriting its segments (archives made with `amber init` encrypt by default).");
        if (archive.IsReadOnly)
        {
            throw new InvalidOperationException($"shredding needs the writer lock of {archive.Directory}; another process holds it.");
        }

        // Every commit acknowledged before the shred is indexed first, and the keys this process made ahead are filed
        // under their conversations (encryption.md §4.1), where the shred finds them.
        archive.IndexCatalogue.IndexProgress.WaitForAcknowledged();
        keys.FileNow();
        if (keys.Store.Get(id) is { State: KeyState.Shredded } done)
        {
            throw new InvalidOperationException($"conversation {id} was already shredded ({done.Changed}).");
        }

        IReadOnlyList<string> conversations = keys.Store.Get(id) is not null ? [id] : archive.ConversationsOf(id); // a conversation has a keys.db row; an instance is a node
        if (conversations.Count == 0)
        {
            throw new ArgumentException($"no conversation or instance {id} in {archive.Directory}.", nameof(id));
        }

        var rows = conversations.Select(c => keys.Store.Get(c) ?? throw new InvalidOperationException($"conversation {c} has no data key in {keys.Store.Path}: it was stored before encryption or keys.db was damaged, and cannot be shredded.")).ToList();
        var held = conversations.SelectMany(keys.Store.HeldFor).ToList(); // spares its blocks name that could not be filed (encryption.md §4.1)
        var now = archive.Options.TimeProvider.GetUtcNow();
        var reasonDigest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(reason)));
        var tombstone = new CommitBatch("amber:shred");
        foreach (var c in conversations)
        {
            tombstone.AddAnnotation(new Amber.Core.Model.Annotation
            {
                Target = c,
                Kind = ArchiveEncryption.ShreddedKind,
                Created = Amber.Core.Time.Timestamps.Format(now),
                Data = new JsonObject { ["reason_sha256"] = "sha256:" + reasonDigest },
            });
        }

        // The tombstone first: if the shred stops after it, running it again finishes (the key is destroyed then).
        var logged = archive.Commit(tombstone);
        foreach (var row in rows)
        {
            keys.Store.Shred(row.Subject, row.Tenant, Amber.Core.Time.Timestamps.Format(now), reason);
            keys.MarkLocked(row.Subject);
        }

        foreach (var spare in held)
        {
            keys.Store.Shred(spare.Subject, spare.Tenant, Amber.Core.Time.Timestamps.Format(now), reason);
        }

        archive.Encryption.ForgetPlaintext();
        archive.RebuildIndex(progress);
        return new ShredResult(conversations, logged.Sequence);
    }


    public static IReadOnlyList<KeyRotationResult> RotateKeys(Archive archive, string? tenant)
    {
        var keys = archive.Encryption.ContentKeys ?? throw new InvalidOperationException($"{archive.Directory} is not encrypted: it has no keys to rotate.");
        var provider = keys.Provider ?? throw new KeyProviderException("rotating keys needs the key provider (set AMBER_KEYS_DIR or AMBER_MASTER_KEY_n).");
        keys.FileNow(); // rows by subject: a key this process made ahead moves to its conversation's subject first
        using var paused = keys.PauseMakingKeys(); // no key is made ahead under the version being retired meanwhile
        var tenants = tenant is not null ? [tenant] : keys.Store.List(KeyState.Wrapped).Select(r => r.Tenant).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var results = new List<KeyRotationResult>();
        foreach (var t in tenants)
        {
            Amber.Core.Crypto.TenantKey current;
            try
            {
                current = provider.Rotate(t);
            }
            catch (KeyProviderException) when (provider is EnvironmentKeyProvider && provider.TryGetCurrentKey(t, out var set))
            {
                current = set; // the operator made the new master key current by setting AMBER_MASTER_KEY_n+1
            }

            var rows = keys.Store.List(KeyState.Wrapped, t);
            var records = rows.Select(r => Amber.Core.Crypto.WrappedKey.Decode(r.Record!, $"{keys.Store.Path} row {r.Subject}")).ToList();
            var rewrapped = KeyRotation.Rewrap(provider, current, records, keys.Random);
            // By the row's subject (a key made ahead keeps the spare name it was wrapped under once filed under its
            // conversation), or, for a spare filed meanwhile, by its record.
            keys.Store.Rewrap(rows.Zip(rewrapped, (r, w) => (r.Subject, r.Record!, w.Encode())), Amber.Core.Time.Timestamps.Format(archive.Options.TimeProvider.GetUtcNow()), "key rotation");
            var notRetired = new List<string>();
            var stillUsed = keys.Store.List(KeyState.Wrapped, t).Select(r => Amber.Core.Crypto.WrappedKey.Decode(r.Record!, $"{keys.Store.Path} row {r.Subject}").KeyVersion).ToHashSet();
            foreach (var old in records.Select(r => r.KeyVersion).Where(v => v != current.Version).Distinct().Order())
            {
                if (stillUsed.Contains(old))
                {
                    notRetired.Add($"version {old} of tenant '{t}''s key still wraps a data key written meanwhile; it was kept (rotate again to retire it)");
                    continue;
                }

                try
                {
                    provider.Retire(t, old);
                }
                catch (KeyProviderException e)
                {
                    notRetired.Add(e.Message);
                }
            }

            // The tenant's index key (encryption.md §6) is re-wrapped with the data keys; the count is of the conversations' keys.
            var rewrappedData = rows.Zip(records).Count(p => p.Second.KeyVersion != current.Version
                && !p.First.Subject.StartsWith(Index.IndexCipher.SubjectPrefix, StringComparison.Ordinal) && !p.First.Subject.StartsWith(KeyStore.SparePrefix, StringComparison.Ordinal));
            results.Add(new KeyRotationResult(t, current.Version, rewrappedData, notRetired));
        }

        return results;
    }


    public static void Seal(Archive archive, string conversationId, IReadOnlyList<Amber.Core.Crypto.Trustee> trustees, int threshold, string? reason)
    {
        ArgumentNullException.ThrowIfNull(trustees);
        var keys = archive.Encryption.ContentKeys ?? throw new InvalidOperationException($"{archive.Directory} is not encrypted: a conversation stored in the clear cannot be sealed.");
        // The index first takes every commit acknowledged before the seal: indexed after it, the conversation's title (encrypted
        // under the data key being sealed, encryption.md §6) could not be kept, and the index would disagree with a rebuild.
        // Its key, if this process made it ahead, is filed under the conversation first (§4.1).
        archive.IndexCatalogue.IndexProgress.WaitForAcknowledged();
        keys.FileNow(conversationId);
        var row = keys.Store.Get(conversationId) ?? throw new ArgumentException($"no encrypted conversation {conversationId} in {archive.Directory} (seal takes a conversation id).", nameof(conversationId));
        if (row.State != KeyState.Wrapped)
        {
            throw new InvalidOperationException($"conversation {conversationId} is already {KeyStore.Describe(row.State)}.");
        }
        var dataKey = keys.TryForReading(conversationId) ?? throw new KeyProviderException("sealing needs the key provider, to open the data key it seals.");
        var sealedKey = Amber.Core.Crypto.KeySeal.Seal(row.Tenant, conversationId, dataKey, trustees, threshold, keys.Random);
        keys.Store.Replace([(conversationId, KeyState.Sealed, sealedKey.Encode())], Amber.Core.Time.Timestamps.Format(archive.Options.TimeProvider.GetUtcNow()), reason);
        keys.MarkLocked(conversationId);
        archive.Encryption.ForgetPlaintext();
    }


    public static void Unseal(Archive archive, string conversationId, IReadOnlyList<Amber.Core.Crypto.TrusteeKeyPair> trusteeKeys)
    {
        ArgumentNullException.ThrowIfNull(trusteeKeys);
        var keys = archive.Encryption.ContentKeys ?? throw new InvalidOperationException($"{archive.Directory} is not encrypted: nothing in it is sealed.");
        var provider = keys.Provider ?? throw new KeyProviderException("unsealing needs the key provider, to wrap the data key again.");
        var row = keys.Store.Get(conversationId) ?? throw new ArgumentException($"no encrypted conversation {conversationId} in {archive.Directory}.", nameof(conversationId));
        if (row.State != KeyState.Sealed)
        {
            throw new InvalidOperationException($"conversation {conversationId} is {KeyStore.Describe(row.State)}, not sealed.");
        }

        var seal = Amber.Core.Crypto.SealedKey.Decode(row.Record!, $"{keys.Store.Path} row {conversationId}");
        var shares = trusteeKeys.Select(t => Amber.Core.Crypto.KeySeal.OpenShare(seal, t)).ToList();
        var dataKey = Amber.Core.Crypto.KeySeal.Unseal(seal, shares);
        var tenantKey = keys.CurrentOrNew(provider, row.Tenant);
        var wrapped = Amber.Core.Crypto.KeyWrap.Wrap(tenantKey, conversationId, dataKey, keys.Random);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(dataKey);
        keys.Store.Replace([(conversationId, KeyState.Wrapped, wrapped.Encode())], Amber.Core.Time.Timestamps.Format(archive.Options.TimeProvider.GetUtcNow()), null);
        keys.MarkLocked(conversationId, isLocked: false);
        archive.Encryption.ForgetPlaintext();
    }
}

using System.Text.Json.Nodes;
using Amber.Storage.Keys;
using Amber.Storage.Segments;

namespace Amber.Storage;

/// <summary>
/// Encryption at rest of one archive (docs/format/encryption.md): whether it is on, keys.db, and the operations on data
/// keys — shred, seal, unseal, rotation. Reached as <see cref="Archive.Encryption"/>.
/// </summary>
public sealed class ArchiveEncryption
{
    /// <summary>The annotation kind of a shred's tombstone in the log (encryption.md §10).</summary>
    public const string ShreddedKind = "shredded";

    private readonly Archive archive;
    private readonly SegmentStore segments;

    internal ArchiveEncryption(Archive archive, SegmentStore segments)
    {
        this.archive = archive;
        this.segments = segments;
    }

    /// <summary>True when this archive encrypts each conversation's content under its own data key.</summary>
    public bool IsEncrypted => segments.ContentKeys is not null;

    /// <summary>The key provider of an encrypted archive as archive.json names it (<c>file</c>, <c>env</c>), or null.</summary>
    public string? KeyProviderName => segments.ContentKeys?.ProviderName;

    /// <summary>What the key provider given to this process reads (e.g. <c>file:/home/u/.local/share/amber/keys/ID</c>); null when none was given.</summary>
    public string? KeyProviderDescription => segments.ContentKeys?.Provider?.Description;

    /// <summary>The archive's <c>keys.db</c> (null when not encrypted).</summary>
    public KeyStore? KeyStore => segments.ContentKeys?.Store;

    internal ContentKeys? ContentKeys => segments.ContentKeys;

    /// <summary>
    /// Shreds a conversation, or the conversations holding an instance (encryption.md §10): a tombstone in the log (an
    /// annotation of kind <c>shredded</c> holding SHA-256 of the reason, never the reason), the data key destroyed in
    /// keys.db (secure_delete, then VACUUM), every decoded copy this process holds dropped, and the index rebuilt from
    /// the segments, in which the conversation's blocks no longer open, into a new file. Backups are not touched.
    /// </summary>
    public ShredResult Shred(string id, string reason, IProgress<ScanProgress>? progress = null) => EncryptionOperations.Shred(archive, id, reason, progress);

    /// <summary>
    /// Rotates tenant keys without touching content (encryption.md §9): a new current version of each tenant's key (or of
    /// <paramref name="tenant"/>'s), every data key re-wrapped under it in one keys.db transaction, older versions retired
    /// when the provider can destroy them (the environment provider says which variable to unset).
    /// </summary>
    public IReadOnlyList<KeyRotationResult> RotateKeys(string? tenant = null) => EncryptionOperations.RotateKeys(archive, tenant);

    /// <summary>Seals a conversation K-of-N to trustees (encryption.md §7): nothing can read it until <see cref="Unseal"/> gets K shares.</summary>
    public void Seal(string conversationId, IReadOnlyList<Amber.Core.Crypto.Trustee> trustees, int threshold, string? reason = null)
        => EncryptionOperations.Seal(archive, conversationId, trustees, threshold, reason);

    /// <summary>Unseals a conversation with K of its trustees' private keys; fewer, or a key of no trustee of the seal, fail naming what is missing or wrong.</summary>
    public void Unseal(string conversationId, IReadOnlyList<Amber.Core.Crypto.TrusteeKeyPair> trusteeKeys)
        => EncryptionOperations.Unseal(archive, conversationId, trusteeKeys);

    /// <summary>Drops what this process holds decoded (frames, words remembered with their index hashes), after a shred or seal.</summary>
    internal void ForgetPlaintext()
    {
        segments.ForgetDecodedFrames();
        archive.IndexCatalogue.Cipher?.ForgetWords();
    }

    /// <summary>The manifest with its <c>"encryption"</c> field when <see cref="ArchiveOptions.Encryption"/> is set (init).</summary>
    internal static JsonObject WithEncryption(JsonObject manifest, ArchiveOptions options, ArchivePaths paths, string idHex)
    {
        if (options.Encryption is { } encrypt)
        {
            manifest["encryption"] = Manifest(options, paths, idHex, encrypt);
        }

        return manifest;
    }

    private static JsonObject Manifest(ArchiveOptions options, ArchivePaths paths, string idHex, bool encrypt)
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

    /// <summary>The data keys of an archive whose manifest says it is encrypted; null when it is not.</summary>
    internal static ContentKeys? Open(JsonObject manifest, ArchiveOptions options, ArchivePaths paths, string archiveId)
    {
        if (manifest["encryption"] is not JsonObject encryption || encryption["enabled"]?.GetValue<bool>() != true)
        {
            return null;
        }

        var store = KeyStore.Open(Path.Combine(paths.Root, KeyStore.FileName), create: false);
        try
        {
            var provider = options.KeyProvider?.Invoke(archiveId);
            return new ContentKeys(store, provider, Convert.FromHexString(archiveId), new InjectedRandom(options.Random), options.TimeProvider)
            {
                ProviderName = encryption["provider"]?.GetValue<string>(),
                Log = options.Log,
            };
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }
}

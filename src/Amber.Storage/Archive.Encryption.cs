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

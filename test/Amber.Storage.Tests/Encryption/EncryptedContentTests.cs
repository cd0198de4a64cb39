using System.Text.Json.Nodes;
using Amber.Storage.Keys;
using Amber.Storage.Verification;

namespace Amber.Storage.Tests.Encryption;

/// <summary>Encryption at rest, content side (encryption.md §4–§5): keys.db, codec-5 frames, reading back, no plaintext in segments.</summary>
public sealed class EncryptedContentTests
{
    [Fact]
    public void Init_WithEncryption_RecordsItInTheManifestAndMakesAnOwnerOnlyKeysDb()
    {
        using var e = new EncryptedArchive();
        using var archive = e.Init();

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(e.Directory, "archive.json")))!["encryption"]!;
        Assert.True(manifest["enabled"]!.GetValue<bool>());
        Assert.Equal("file", manifest["provider"]!.GetValue<string>());
        Assert.True(archive.Encryption.IsEncrypted);
        Assert.StartsWith("file:", archive.Encryption.KeyProviderDescription, StringComparison.Ordinal);
        var keysDb = Path.Combine(e.Directory, KeyStore.FileName);
        Assert.True(File.Exists(keysDb));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keysDb));
        }
    }

    [Fact]
    public void Init_WithEncryptionOff_SaysSoAndWritesNoKeysDb()
    {
        using var e = new EncryptedArchive();
        using var archive = e.Init(encryption: false);

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(e.Directory, "archive.json")))!["encryption"]!;
        Assert.False(manifest["enabled"]!.GetValue<bool>());
        Assert.False(archive.Encryption.IsEncrypted);
        Assert.False(File.Exists(Path.Combine(e.Directory, KeyStore.FileName)));
    }

    [Fact]
    public void Commit_Encrypted_ReadsBackAfterReopenWithNoPlaintextInAnySegmentOrKeysDb()
    {
        using var e = new EncryptedArchive();
        string cid;
        string leaf;
        using (var archive = e.Init())
        {
            (var batch, cid, leaf) = EncryptedArchive.CanaryConversation("a");
            archive.Commit(batch);
            Assert.Equal("message-canary-a asks something", ((Amber.Core.Model.TextBlock)archive.GetNode(archive.GetNode(leaf)!.Parent!)!.Content[0]).Text);
        }

        using (var archive = e.Open())
        {
            var view = archive.GetConversation(cid)!;
            Assert.Equal("title-canary-a", view.Record.Title);
            Assert.Equal(2, view.Tree.Count);
            Assert.Equal(1, archive.Encryption.KeyStore!.Counts()[KeyState.Wrapped]);
            Assert.True(ArchiveVerifier.Verify(archive).Ok, string.Join("\n", ArchiveVerifier.Verify(archive).Faults));
        }

        // The index is not this round's (encryption.md §12): everything else holds no canary in any encoding.
        var found = CanaryScan.Find(e.Directory, EncryptedArchive.Canaries("a"), p => !p.Contains("index.db", StringComparison.Ordinal));
        Assert.Empty(found);
    }

    [Fact]
    public void Commit_NotEncrypted_TheScanFindsTheCanaries()
    {
        // The control: the same conversation in an archive without encryption is found by the same scan.
        using var e = new EncryptedArchive();
        using (var archive = e.Init(encryption: false))
        {
            archive.Commit(EncryptedArchive.CanaryConversation("a").Batch);
        }

        var found = CanaryScan.Find(e.Directory, EncryptedArchive.Canaries("a"), p => !p.Contains("index.db", StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains("message-canary-a", StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains("raw-canary-a", StringComparison.Ordinal));
    }

    [Fact]
    public void Rebuild_Encrypted_IndexesTheDecryptedContent()
    {
        using var e = new EncryptedArchive();
        using var archive = e.Init();
        var (batch, cid, _) = EncryptedArchive.CanaryConversation("b");
        archive.Commit(batch);
        archive.RebuildIndex();
        Assert.Equal("title-canary-b", archive.GetConversation(cid)!.Record.Title);
    }

    [Fact]
    public void Open_WithNoKeyProvider_ContentIsLockedButTheLogVerifies()
    {
        using var e = new EncryptedArchive();
        string cid;
        using (var archive = e.Init())
        {
            (var batch, cid, _) = EncryptedArchive.CanaryConversation("c");
            archive.Commit(batch);
        }

        using (var archive = e.Open(withKeys: false))
        {
            Assert.Null(archive.Encryption.KeyProviderDescription);
            Assert.Equal(1, archive.Log.Size);
            var report = ArchiveVerifier.Verify(archive);
            Assert.True(report.Ok, string.Join("\n", report.Faults));
            Assert.Contains(report.Notes, n => n.Contains("no key provider", StringComparison.Ordinal));
            Assert.Contains("no key provider", Assert.Throws<ContentLockedException>(() => archive.GetConversation(cid)).Message, StringComparison.Ordinal);
        }
    }
}

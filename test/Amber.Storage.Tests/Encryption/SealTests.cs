using System.Security.Cryptography;
using Amber.Core.Crypto;
using Amber.Storage.Keys;
using Amber.Storage.Verification;

namespace Amber.Storage.Tests.Encryption;

/// <summary>Seal and unseal (issue 15 must-have 5, encryption.md §7): K−1 shares fail clearly, a wrong key is named, K shares open it again.</summary>
public sealed class SealTests
{
    [Fact]
    public void Seal_TwoOfThree_LocksTheContent_KMinusOneAndAWrongKeyFail_TwoOpenIt()
    {
        using var e = new EncryptedArchive();
        using var archive = e.Init();
        var (batch, cid, _) = EncryptedArchive.CanaryConversation("seal");
        archive.Commit(batch);
        using var random = RandomNumberGenerator.Create();
        var trustees = new[] { "alice", "bob", "carol" }.Select(n => TrusteeKeyPair.Create(n, random)).ToList();

        archive.Encryption.Seal(cid, [.. trustees.Select(t => t.Trustee)], threshold: 2, reason: "legal hold");
        Assert.Equal(KeyState.Sealed, archive.Encryption.KeyStore!.Get(cid)!.State);
        var locked = Assert.Throws<ContentLockedException>(() => archive.GetConversation(cid));
        Assert.Contains("is sealed", locked.Message, StringComparison.Ordinal);
        var report = ArchiveVerifier.Verify(archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        Assert.Contains(report.Notes, n => n.Contains($"conversation {cid}: sealed", StringComparison.Ordinal));

        var tooFew = Assert.Throws<KeyAccessException>(() => archive.Encryption.Unseal(cid, [trustees[0]]));
        Assert.Contains("1 of the 2 shares needed", tooFew.Message, StringComparison.Ordinal);
        var stranger = TrusteeKeyPair.Create("mallory", random);
        var wrong = Assert.Throws<KeyAccessException>(() => archive.Encryption.Unseal(cid, [trustees[0], stranger]));
        Assert.Contains("no share for the key of trustee 'mallory'", wrong.Message, StringComparison.Ordinal);
        Assert.Equal(KeyState.Sealed, archive.Encryption.KeyStore.Get(cid)!.State);

        archive.Encryption.Unseal(cid, [trustees[2], trustees[0]]);
        Assert.Equal(KeyState.Wrapped, archive.Encryption.KeyStore.Get(cid)!.State);
        Assert.Equal("title-canary-seal", archive.GetConversation(cid)!.Record.Title);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }
}

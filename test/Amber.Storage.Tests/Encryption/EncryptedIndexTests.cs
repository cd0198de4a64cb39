using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Reading;
using Amber.Storage.Verification;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests.Encryption;

/// <summary>
/// The index of an encrypted archive (issue 15 must-have 3, encryption.md §6): no message word or title in the clear in
/// index.db, its WAL or a VACUUMed copy, while search (ranked and newest, phrases, tenant-scoped) and the list still
/// find and show them; a rebuild gives the same index, and verify's audit agrees with it.
/// </summary>
public sealed class EncryptedIndexTests
{
    [Fact]
    public void EncryptedIndex_HoldsNoPlaintextWordOrTitle_WhileSearchAndListFindThem()
    {
        using var e = new EncryptedArchive();
        using (var archive = e.Init())
        {
            var (cid, node) = Commit(archive, "q", tenant: null);
            Assert.Empty(Scan(e, Words("q")));

            var hit = Assert.Single(archive.Search("quokkaword" + "q"));
            Assert.Equal(node, hit.Node);
            Assert.Equal(cid, hit.Conversation);
            Assert.Equal("quokkatitleq Notes", hit.Title);
            Assert.Contains("«quokkawordq»", hit.Snippet, StringComparison.Ordinal);
            Assert.Equal(node, Assert.Single(archive.Search("\"second quokkawordq\"", order: SearchOrder.Newest)).Node);
            Assert.Empty(archive.Search("\"quokkawordq second\"")); // the phrase is confirmed in the decrypted text
            Assert.Equal("quokkatitleq Notes", Assert.Single(archive.ListConversations(10)).Title);
            Assert.Equal("quokkatitleq Notes", archive.GetConversation(cid)!.Summary.Title);

            archive.RebuildIndex();
            Assert.Equal(node, Assert.Single(archive.Search("QUOKKAWORDQ")).Node);
            var report = ArchiveVerifier.Verify(archive);
            Assert.True(report.Ok, string.Join("\n", report.Faults));
        }

        Assert.Empty(Scan(e, Words("q")));
    }

    [Fact]
    public void PlainIndex_HoldsTheWords_SoTheScanCanFail()
    {
        using var e = new EncryptedArchive();
        using (var archive = e.Init(encryption: false))
        {
            Commit(archive, "p", tenant: null);
            Assert.Single(archive.Search("quokkawordp"));
        }

        var found = Scan(e, Words("p"));
        Assert.Contains(found, f => f.Contains("quokkawordp", StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains("quokkatitlep", StringComparison.Ordinal));
    }

    [Fact]
    public void EncryptedIndex_TenantSearch_FindsOnlyItsOwnMessages_AndAnAdminFindsBoth()
    {
        using var e = new EncryptedArchive();
        using var archive = e.Init();
        var (_, a) = Commit(archive, "a", tenant: "acme");
        var (_, b) = Commit(archive, "b", tenant: "bolt");
        // Both tenants' messages share the word "second": each tenant's hash of it is another term.
        Assert.Equal(a, Assert.Single(archive.SearchTenant("acme", "second", 10, SearchOrder.Rank, "«", "»", 8)).Node);
        Assert.Equal(b, Assert.Single(archive.SearchTenant("bolt", "second", 10, SearchOrder.Newest, "«", "»", 8)).Node);
        Assert.Empty(archive.SearchTenant("acme", "quokkawordb", 10, SearchOrder.Rank, "«", "»", 8));
        Assert.Empty(archive.SearchTenant("nobody", "second", 10, SearchOrder.Rank, "«", "»", 8));
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), archive.Search("second").Select(h => h.Node).Order(StringComparer.Ordinal));
        Assert.Equal(["index:acme", "index:bolt"], archive.Encryption.KeyStore!.List(Amber.Storage.Keys.KeyState.Wrapped).Select(r => r.Subject).Where(s => s.StartsWith("index:", StringComparison.Ordinal)));
    }

    [Fact]
    public void EncryptedIndex_AfterTheTenantKeyRotates_StillSearches_ItsIndexKeyRewrapped()
    {
        using var e = new EncryptedArchive();
        string node;
        using (var archive = e.Init())
        {
            (_, node) = Commit(archive, "r", tenant: null);
            Assert.Single(archive.Search("quokkawordr"));
            var rotated = Assert.Single(archive.Encryption.RotateKeys());
            Assert.Equal(1, rotated.Rewrapped); // the conversation's data key; the index key went along uncounted
            Assert.Empty(rotated.NotRetired); // version 1 is gone: whatever it wrapped must have been re-wrapped
        }

        using (var archive = e.Open())
        {
            Assert.Equal(node, Assert.Single(archive.Search("quokkawordr")).Node);
            archive.RebuildIndex();
            Assert.Equal(node, Assert.Single(archive.Search("quokkawordr")).Node);
        }
    }

    private static string[] Words(string tag) => ["quokkaword" + tag, "quokkatitle" + tag];

    private static (string Conversation, string Node) Commit(Archive archive, string tag, string? tenant)
    {
        var batch = new CommitBatch("test") { Tenant = tenant };
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "synthetic", SourceId = "index-" + tag, Title = $"quokkatitle{tag} Notes" });
        var root = part.AddNode(new Node
        {
            Role = "user",
            Content = [new TextBlock($"a first message about nothing")],
            Meta = tenant is null ? null : new JsonObject { ["tenant"] = tenant },
        });
        var node = part.AddNode(new Node { Parent = root, Role = "assistant", Content = [new TextBlock($"The second quokkaword{tag} answer, with quokkaword{tag} twice")] });
        archive.Commit(batch);
        return (part.Id, node);
    }

    /// <summary>The index, its WAL and every other file of the archive folder, and a VACUUMed copy of the index, scanned for <paramref name="words"/>.</summary>
    private static List<string> Scan(EncryptedArchive e, string[] words)
    {
        var copy = Path.Combine(Path.GetDirectoryName(e.KeysFolder)!, "vacuumed-" + Guid.NewGuid().ToString("N") + ".db");
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(e.Directory, "index.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "VACUUM INTO $p";
            cmd.Parameters.AddWithValue("$p", copy);
            cmd.ExecuteNonQuery();
        }

        try
        {
            return [.. CanaryScan.Find(e.Directory, words), .. CanaryScan.FindInBytes(File.ReadAllBytes(copy), words).Select(f => "vacuumed index: " + f)];
        }
        finally
        {
            File.Delete(copy);
        }
    }
}

using Amber.Storage.Keys;
using Amber.Storage.Verification;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests.Encryption;

/// <summary>Shred (issue 15 must-have 4, encryption.md §10): the data key destroyed, the index rebuilt without the conversation, a tombstone in the log, verify passing.</summary>
public sealed class ShredTests
{
    [Fact]
    public void Shred_LeavesNoCanaryInAnyFileOrAVacuumedIndex_KeepsTheOthers_AndVerifies()
    {
        using var e = new EncryptedArchive();
        string shredded;
        string kept;
        long logSize;
        using (var archive = e.Init())
        {
            (var batch, shredded, _) = EncryptedArchive.CanaryConversation("s");
            archive.Commit(batch);
            (batch, kept, _) = EncryptedArchive.CanaryConversation("k");
            archive.Commit(batch);

            // Even before the shred no file holds a canary: the index keeps keyed word hashes and encrypted titles
            // (encryption.md §6; EncryptedIndexTests shows the same scan finding them in an index without encryption).
            // Indexing runs after the acknowledgement, so a read (which waits for the commits it must see) comes first.
            Assert.Equal("title-canary-s", archive.GetConversation(shredded)!.Record.Title);
            Assert.Single(archive.Search("answer canary s"));
            Assert.Empty(Scan(e, "s"));

            var result = archive.Encryption.Shred(shredded, "the user asked to be forgotten");
            Assert.Equal([shredded], result.Conversations);
            Assert.Equal(3, result.TombstoneSequence);
            logSize = archive.Log.Size;

            Assert.Null(archive.GetConversation(shredded)); // gone from the index; keys.db says why
            Assert.Equal(KeyState.Shredded, archive.Encryption.KeyStore!.Get(shredded)!.State);
            Assert.Equal("title-canary-k", archive.GetConversation(kept)!.Record.Title);
            Assert.Equal(kept, Assert.Single(archive.Search("answer canary")).Conversation); // the rebuilt index finds what was kept
            var report = ArchiveVerifier.Verify(archive);
            Assert.True(report.Ok, string.Join("\n", report.Faults));
            Assert.Contains(report.Notes, n => n.Contains($"conversation {shredded}: shredded", StringComparison.Ordinal));
        }

        using (var archive = e.Open())
        {
            Assert.Equal(logSize, archive.Log.Size);
            var report = ArchiveVerifier.Verify(archive);
            Assert.True(report.Ok, string.Join("\n", report.Faults));
            var row = archive.Encryption.KeyStore!.Get(shredded)!;
            Assert.Equal(KeyState.Shredded, row.State);
            Assert.Null(row.Record);
            Assert.Throws<InvalidOperationException>(() => archive.Encryption.Shred(shredded, "again"));
        }

        Assert.Empty(Scan(e, "s"));
        Assert.Empty(Scan(e, "k"));
    }

    [Fact]
    public void Shred_OfAnArchiveWithoutEncryption_IsRefusedClearly()
    {
        using var e = new EncryptedArchive();
        using var archive = e.Init(encryption: false);
        var (batch, cid, _) = EncryptedArchive.CanaryConversation("n");
        archive.Commit(batch);
        var error = Assert.Throws<InvalidOperationException>(() => archive.Encryption.Shred(cid, "why"));
        Assert.Contains("not encrypted", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every file under the archive folder, and a VACUUMed copy of its index, scanned for the canaries of <paramref name="tag"/>.</summary>
    private static List<string> Scan(EncryptedArchive e, string tag)
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

        var found = CanaryScan.Find(e.Directory, EncryptedArchive.Canaries(tag));
        found.AddRange(CanaryScan.FindInBytes(File.ReadAllBytes(copy), EncryptedArchive.Canaries(tag)).Select(f => "vacuumed index: " + f));
        File.Delete(copy);
        return found;
    }
}

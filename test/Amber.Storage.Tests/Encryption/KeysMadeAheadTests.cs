using Amber.Core.Crypto;
using Amber.Storage.Keys;
using Amber.Storage.Verification;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests.Encryption;

/// <summary>
/// Data keys made ahead (encryption.md §4.1): a new conversation's commit takes a key that is already durable in keys.db
/// under a spare subject, its blocks name that subject until the indexer files the key under the conversation, and a
/// crash between the two loses nothing: readers open the blocks by the name, the catch-up files the key.
/// </summary>
public sealed class KeysMadeAheadTests
{
    [Fact]
    public void NewConversations_TakeKeysMadeAhead_AndTheIndexerFilesEachUnderItsConversation()
    {
        using var e = new EncryptedArchive();
        using var archive = e.Init();
        var keys = archive.Encryption.ContentKeys!;
        var (batch, first, _) = EncryptedArchive.CanaryConversation("a");
        archive.Commit(batch);
        var (_, onPath) = keys.SpareCounts;
        Assert.Equal(1 + SparePool.InitialTarget, onPath); // the tenant's first conversation in this process makes its pool

        var others = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            (batch, var id, _) = EncryptedArchive.CanaryConversation("n" + i);
            archive.Commit(batch);
            others.Add(id);
        }

        Assert.Equal(onPath, keys.SpareCounts.MadeOnPath); // taken from memory: no keys.db write on their path
        archive.IndexCatalogue.IndexProgress.WaitForAcknowledged();
        var store = archive.Encryption.KeyStore!;

        // Indexed, but keys.db files the keys under their conversations at most once a second: until then the blocks name them.
        Assert.All(others.Prepend(first), id => Assert.Null(store.Get(id)));
        Assert.Equal(SparePool.InitialTarget + 1, store.Spares(ContentKeys.DefaultTenant).Count);
        Assert.Equal("title-canary-n3", archive.GetConversation(others[3])!.Record.Title);

        e.Archives.Clock.Advance(Amber.Storage.Catalogue.KeyFiling.Interval);
        (batch, var last, _) = EncryptedArchive.CanaryConversation("last");
        archive.Commit(batch);
        archive.IndexCatalogue.IndexProgress.WaitForAcknowledged();
        foreach (var id in others.Prepend(first).Append(last))
        {
            var row = store.Get(id)!;
            Assert.Equal(KeyState.Wrapped, row.State);
            Assert.StartsWith(KeyStore.SparePrefix, WrappedKey.Decode(row.Record!, id).ConversationId, StringComparison.Ordinal); // made ahead, then filed
        }

        Assert.Equal(22, store.Counts()[KeyState.Wrapped]); // the spares still in the pool are not conversations
        Assert.Equal(SparePool.InitialTarget - 21, store.Spares(ContentKeys.DefaultTenant).Count);
        Assert.Equal("title-canary-n7", archive.GetConversation(others[7])!.Record.Title);
    }

    [Fact]
    public void ACrashBeforeTheKeyIsFiled_LosesNothing_ReadersOpenTheBlocksByTheSpareName_AndTheCatchUpFilesIt()
    {
        using var e = new EncryptedArchive();
        string id;
        string leaf;
        using (var archive = e.Init())
        {
            (var batch, id, leaf) = EncryptedArchive.CanaryConversation("c");
            archive.Commit(batch);
        }

        // Put the archive as a crash within a second of the commit leaves it (the close filed the key): keys.db files the
        // key under its spare subject again, and the index notes the name pending.
        var keysDb = Path.Combine(e.Directory, KeyStore.FileName);
        string spare;
        using (var store = KeyStore.Open(keysDb, create: false))
        {
            spare = WrappedKey.Decode(store.Get(id)!.Record!, id).ConversationId; // the name it was made under
        }

        Exec(keysDb, "UPDATE subject_keys SET subject = $a WHERE subject = $b", spare, id);
        Exec(Path.Combine(e.Directory, "index.db"), "UPDATE key_names SET filed = 0 WHERE spare = $a AND conversation = $b", spare, id);
        using (var reader = e.Open(readOnly: true))
        {
            Assert.Null(reader.Encryption.KeyStore!.Get(id));
            Assert.Equal("title-canary-c", reader.GetConversation(id)!.Record.Title); // the block names its key
            Assert.Contains(reader.GetNode(leaf)!.Content.OfType<Amber.Core.Model.TextBlock>(), t => t.Text.Contains("answer-canary-c", StringComparison.Ordinal));
        }

        // The index lost as well (a machine crash discards an unsynced index): its rebuild reads the frame again, notes the
        // name and files the key before the writer takes a commit.
        SqliteConnection.ClearAllPools(); // no pooled connection may keep the deleted file
        Amber.Storage.Catalogue.ArchiveCatalogue.DeleteIndexFiles(Path.Combine(e.Directory, "index.db"));
        using (var archive = e.Open())
        {
            var store = archive.Encryption.KeyStore!;
            Assert.True(archive.Recovery.FramesIndexed > 0);
            Assert.Equal(KeyState.Wrapped, store.Get(id)!.State);
            Assert.Null(store.Get(spare));
            Assert.DoesNotContain(store.Spares(Amber.Storage.Keys.ContentKeys.DefaultTenant), s => s.Subject == spare); // never handed out again

            // A later commit of the conversation uses the key it has: no spare is taken for it.
            var more = new CommitBatch("test");
            var part = more.AddConversation(archive.GetConversation(id)!.Record);
            Assert.Equal(id, part.Id);
            part.AddNode(new Amber.Core.Model.Node { Parent = leaf, Role = "user", Content = [new Amber.Core.Model.TextBlock("a follow-up")] });
            archive.Commit(more);
            archive.IndexCatalogue.IndexProgress.WaitForAcknowledged();
            Assert.Equal((0L, 0L), archive.Encryption.ContentKeys!.SpareCounts);
            Assert.Equal(1, store.Counts()[KeyState.Wrapped]);
            var report = ArchiveVerifier.Verify(archive);
            Assert.True(report.Ok, string.Join("\n", report.Faults));
        }
    }

    [Fact]
    public void SparesLeftByOneProcess_AreTakenByTheNext_AndRotationRewrapsThem()
    {
        using var e = new EncryptedArchive();
        using (var archive = e.Init())
        {
            archive.Commit(EncryptedArchive.CanaryConversation("p1").Batch);
        }

        using (var archive = e.Open())
        {
            var rotated = Assert.Single(archive.Encryption.RotateKeys());
            Assert.Equal(2, rotated.Version);
            Assert.Equal(1, rotated.Rewrapped); // the conversation's key; the spares are rewrapped but not counted
            Assert.All(archive.Encryption.KeyStore!.Spares(ContentKeys.DefaultTenant), s => Assert.Equal(2, WrappedKey.Decode(s.Record, s.Subject).KeyVersion));
        }

        using (var archive = e.Open())
        {
            var (batch, id, _) = EncryptedArchive.CanaryConversation("p2");
            archive.Commit(batch);
            Assert.Equal((0L, 0L), archive.Encryption.ContentKeys!.SpareCounts); // one the first process made
            Assert.Equal("title-canary-p2", archive.GetConversation(id)!.Record.Title);
        }
    }

    [Fact]
    public void AShreddedConversation_TakesNoKeyMadeAhead_ItsIdIsRefused()
    {
        using var e = new EncryptedArchive();
        using var archive = e.Init();
        var (batch, id, _) = EncryptedArchive.CanaryConversation("x");
        archive.Commit(batch);
        archive.Encryption.Shred(id, "asked to be forgotten");
        var spares = archive.Encryption.KeyStore!.Spares(ContentKeys.DefaultTenant).Count;

        var again = Assert.ThrowsAny<Exception>(() => archive.Commit(EncryptedArchive.CanaryConversation("x").Batch));
        Assert.Contains("shredded", again.Message, StringComparison.Ordinal);
        Assert.Equal(spares, archive.Encryption.KeyStore.Spares(ContentKeys.DefaultTenant).Count);
        Assert.Equal(KeyState.Shredded, archive.Encryption.KeyStore.Get(id)!.State);

        // The writer goes on: another conversation commits and reads.
        var (other, kept, _) = EncryptedArchive.CanaryConversation("y");
        archive.Commit(other);
        Assert.Equal("title-canary-y", archive.GetConversation(kept)!.Record.Title);
    }

    [Fact]
    public void ASealedConversationMissingFromARebuiltIndex_TakesNoKeyMadeAhead_ItsCommitIsRefused()
    {
        using var e = new EncryptedArchive();
        using var archive = e.Init();
        var (batch, id, _) = EncryptedArchive.CanaryConversation("sealed");
        archive.Commit(batch);
        using var random = System.Security.Cryptography.RandomNumberGenerator.Create();
        var trustees = new[] { "alice", "bob" }.Select(n => TrusteeKeyPair.Create(n, random)).ToList();
        archive.Encryption.Seal(id, [.. trustees.Select(t => t.Trustee)], threshold: 2, reason: "legal hold");
        archive.RebuildIndex(); // a sealed conversation's blocks no longer open: the rebuilt index does not hold it
        Assert.False(archive.ContainsConversation(id));
        var spares = archive.Encryption.KeyStore!.Spares(ContentKeys.DefaultTenant).Count;

        var refused = Assert.ThrowsAny<Exception>(() => archive.Commit(EncryptedArchive.CanaryConversation("sealed").Batch));
        Assert.Contains("sealed", refused.Message, StringComparison.Ordinal);
        Assert.Equal(spares, archive.Encryption.KeyStore.Spares(ContentKeys.DefaultTenant).Count);
        Assert.Equal(KeyState.Sealed, archive.Encryption.KeyStore.Get(id)!.State);
    }

    [Fact]
    public void NamesLeftWaiting_AreFiledByTheTimer_WithNoFurtherCommit()
    {
        using var e = new EncryptedArchive();
        using var archive = e.Init();
        var (batch, id, _) = EncryptedArchive.CanaryConversation("idle");
        archive.Commit(batch);
        archive.IndexCatalogue.IndexProgress.WaitForAcknowledged();
        var store = archive.Encryption.KeyStore!;
        Assert.Null(store.Get(id));

        e.Archives.Clock.Advance(Amber.Storage.Catalogue.KeyFiling.Interval); // the filing timer runs on the archive's clock
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (store.Get(id) is null && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10); // the indexer files on its own thread
        }

        Assert.Equal(KeyState.Wrapped, store.Get(id)!.State);
    }

    [Fact]
    public void ASpareThatCannotBeFiled_IsHeldFromThePools_ReadByItsName_AndShreddedWithItsConversation()
    {
        using var e = new EncryptedArchive();
        string id;
        string leaf;
        using (var archive = e.Init())
        {
            (var batch, id, leaf) = EncryptedArchive.CanaryConversation("held");
            var keys = archive.Encryption.ContentKeys!;
            keys.FiledAtOnce(id, ContentKeys.DefaultTenant); // a row no frame uses, as an older writer could leave
            keys.Forget(id);
            archive.Commit(batch); // the index does not hold the conversation: it takes a spare
            archive.IndexCatalogue.IndexProgress.WaitForAcknowledged();
            keys.FileNow();
            var held = Assert.Single(archive.Encryption.KeyStore!.HeldFor(id));
            Assert.DoesNotContain(archive.Encryption.KeyStore.Spares(ContentKeys.DefaultTenant), s => s.Subject == held.Subject);
        }

        using (var archive = e.Open())
        {
            Assert.Contains(archive.GetNode(leaf)!.Content.OfType<Amber.Core.Model.TextBlock>(), t => t.Text.Contains("answer-canary-held", StringComparison.Ordinal));
            archive.Encryption.RotateKeys(); // re-wraps the held spare, and it stays held
            var held = Assert.Single(archive.Encryption.KeyStore!.HeldFor(id));
            Assert.Equal(2, WrappedKey.Decode(held.Record!, held.Subject).KeyVersion);
            Assert.DoesNotContain(archive.Encryption.KeyStore.Spares(ContentKeys.DefaultTenant), s => s.Subject == held.Subject);
            archive.Encryption.Shred(id, "asked to be forgotten");
            Assert.All(archive.Encryption.KeyStore!.HeldFor(id), r => Assert.Null(r.Record));
        }

        Assert.Empty(CanaryScan.Find(e.Directory, EncryptedArchive.Canaries("held")));
    }

    private static void Exec(string db, string sql, string a, string b)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$a", a);
        cmd.Parameters.AddWithValue("$b", b);
        Assert.Equal(1, cmd.ExecuteNonQuery());
    }
}

using Amber.Core.Model;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests;

public sealed class ArchiveCommitTests
{
    public static TheoryDataKinds Kinds => TestArchives.AllKinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Commit_ThenRead_ReturnsEveryNodeBlobAndRawSource(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init();
        var (batch, cid, leaves) = SampleConversations.Create(1, turns: 3, branches: 2);
        var result = archive.Commit(batch);

        Assert.Equal(1, result.Sequence);
        Assert.Equal(batch.Nodes.Count, result.NewNodes);
        var view = archive.GetConversation(cid)!;
        Assert.Equal(batch.Nodes.Count, view.Tree.Count);
        Assert.Equal(leaves.Order(StringComparer.Ordinal), view.Tree.Leaves.Order(StringComparer.Ordinal));
        Assert.Equal(2, view.Summary.Instances);
        Assert.Equal("T3", view.Summary.Tier);
        Assert.Equal(["gpt-4o-2024-08-06"], view.Summary.Models);
        foreach (var (id, node, bytes) in batch.Nodes)
        {
            Assert.Equal(bytes, view.Tree.Nodes[id].ToCanonicalBytes());
            Assert.Equal(id, node.ComputeId());
        }

        var raw = archive.GetBlob(view.Raw.Single())!;
        Assert.Equal(batch.Blobs[view.Raw.Single()].ToArray(), raw);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Commit_SameContentTwice_StoresItOnce(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init();
        var first = archive.Commit(SampleConversations.Create(7).Batch);
        var sizeAfterFirst = archive.GetStats().SegmentBytes;
        var second = archive.Commit(SampleConversations.Create(7).Batch);

        Assert.True(first.NewNodes > 0);
        Assert.True(second.Unchanged);
        Assert.Equal(0, second.NewNodes);
        Assert.Equal(0, second.NewBlobs);
        var stats = archive.GetStats();
        Assert.Equal(1, stats.Conversations);
        Assert.Equal(first.NewNodes, stats.Nodes);
        Assert.Equal(sizeAfterFirst, stats.SegmentBytes);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Commit_SharedPrefixAcrossConversations_StoresPrefixOnce(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init();
        var root = new Node { Role = "system", Content = [new TextBlock("Shared system prompt")] };
        var a = new CommitBatch("test");
        var pa = a.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = "a" });
        var rootId = pa.AddNode(root);
        pa.AddNode(new Node { Parent = rootId, Role = "user", Content = [new TextBlock("first")] });
        archive.Commit(a);
        var b = new CommitBatch("test");
        var pb = b.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = "b" });
        pb.AddNode(root);
        pb.AddNode(new Node { Parent = rootId, Role = "user", Content = [new TextBlock("second")] });
        var r = archive.Commit(b);

        Assert.Equal(1, r.NewNodes);
        Assert.Equal(3, archive.GetStats().Nodes);
        Assert.Equal(2, archive.ConversationsOf(rootId).Count);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Commit_NodeWithUnknownParent_FailsAndWritesNothing(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init();
        archive.Commit(SampleConversations.Create(1).Batch);
        var before = t.ReadFile(t.SegmentPath(1)).Length;
        var bad = new CommitBatch("test");
        var part = bad.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = "orphan" });
        part.AddNode(new Node { Parent = "sha256:" + new string('0', 64), Role = "user", Content = [new TextBlock("lost")] });

        var e = Assert.Throws<ArgumentException>(() => archive.Commit(bad));
        Assert.Contains("parent", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, t.ReadFile(t.SegmentPath(1)).Length);
        Assert.Equal(1, archive.GetStats().Conversations);
        archive.Commit(SampleConversations.Create(2).Batch); // the writer is still healthy
        Assert.Equal(2, archive.GetStats().Conversations);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task CommitAsync_AFailedCommitInAGroup_LeavesNothingForTheNextToBuildOn(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        await using var archive = t.Init();
        var root = new Node { Role = "user", Content = [new TextBlock("only in the failed commit")] };
        var bad = new CommitBatch("test");
        var badPart = bad.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = "bad" });
        badPart.AddNode(root);
        badPart.AddNode(new Node { Parent = "sha256:" + new string('0', 64), Role = "user", Content = [new TextBlock("lost")] });
        var next = new CommitBatch("test");
        next.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = "next" })
            .AddNode(new Node { Parent = root.ComputeId(), Role = "assistant", Content = [new TextBlock("built on nothing")] });

        // Held gate: both commits queue up and are validated in one group.
        await archive.WriteGate.WaitAsync(TestContext.Current.CancellationToken);
        var first = archive.CommitAsync(bad, TestContext.Current.CancellationToken);
        var second = archive.CommitAsync(next, TestContext.Current.CancellationToken);
        archive.WriteGate.Release();

        await Assert.ThrowsAsync<ArgumentException>(() => first);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => second);
        Assert.Contains("parent", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, archive.GetStats().Nodes);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Reopen_WithIndexDeleted_RebuildsIndexFromSegments(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        string cid;
        using (var archive = t.Init())
        {
            for (var i = 0; i < 5; i++)
            {
                archive.Commit(SampleConversations.Create(i).Batch);
            }

            cid = SampleConversations.Create(3).ConversationId;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(t.IndexPath);
        using (var archive = t.Open())
        {
            Assert.Equal(5, archive.GetStats().Conversations);
            Assert.NotNull(archive.GetConversation(cid));
            Assert.True(ArchiveVerifier.Verify(archive).Ok);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task CommitAsync_ManyConcurrent_AllAcknowledgedInOrderAndVerified(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        await using var archive = t.Init();
        var tasks = Enumerable.Range(0, 40).Select(i => Task.Run(() => archive.CommitAsync(SampleConversations.Create(100 + i).Batch, TestContext.Current.CancellationToken))).ToList();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), results.Select(r => r.Sequence).Order());
        Assert.Equal(40, archive.GetStats().Conversations);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task CommitAsync_ReadRightAfterTheAcknowledgement_SeesTheCommit(FileSystemKind kind)
    {
        // The writer acknowledges once a group is fsynced and indexes it afterwards; a read that starts after the
        // acknowledgement must still find everything in it.
        using var t = new TestArchives(kind);
        await using var archive = t.Init();
        var misses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
        {
            var (batch, cid, leaves) = SampleConversations.Create(500 + i, turns: 2);
            await archive.CommitAsync(batch, TestContext.Current.CancellationToken);
            var view = archive.GetConversation(cid);
            return view is null || leaves.Any(l => archive.GetNode(l) is null) ? cid : null;
        })));

        Assert.Empty(misses.OfType<string>());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Commit_PastSegmentSize_SealsWithFooterAndStartsNextSegment(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using (var archive = t.Init(o => o with { SegmentSize = 8 << 10 }))
        {
            for (var i = 0; i < 30; i++)
            {
                archive.Commit(SampleConversations.Create(i, turns: 3).Batch);
            }

            var stats = archive.GetStats();
            Assert.True(stats.Segments >= 3, $"expected several segments, got {stats.Segments}");
            var report = ArchiveVerifier.Verify(archive);
            Assert.True(report.Ok, string.Join("\n", report.Faults));
        }

        using (var archive = t.Open(o => o with { SegmentSize = 8 << 10 }))
        {
            Assert.NotNull(archive.GetConversation(SampleConversations.Create(0).ConversationId));
            Assert.Equal(30, archive.GetStats().Conversations);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Commit_AfterEnoughCommitsOfAKind_TrainsAndStoresADictionary(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        Func<ArchiveOptions, ArchiveOptions> small = o => o with { DictionaryTrainingCommits = 20, DictionaryTrainingBytes = 8 << 10, DictionarySize = 16 << 10 };
        using (var archive = t.Init(small))
        {
            for (var i = 0; i < 40; i++)
            {
                archive.Commit(SampleConversations.Create(i, turns: 3).Batch);
            }

            Assert.Equal(1, archive.GetStats().Dictionaries);
        }

        using (var archive = t.Open(small))
        {
            Assert.Equal(1, archive.GetStats().Dictionaries);
            archive.Commit(SampleConversations.Create(1000).Batch);
            Assert.NotNull(archive.GetConversation(SampleConversations.Create(39).ConversationId));
            Assert.NotNull(archive.GetConversation(SampleConversations.Create(1000).ConversationId));
            archive.RebuildIndex();
            var report = ArchiveVerifier.Verify(archive);
            Assert.True(report.Ok, string.Join("\n", report.Faults));
            Assert.Equal(41, archive.GetStats().Conversations);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Commit_LargeBlob_StoredAsItsOwnFileAndReadBack(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init(o => o with { ExternalBlobThreshold = 4096 });
        var big = new byte[100_000];
        new Random(5).NextBytes(big);
        var batch = new CommitBatch("test");
        var id = batch.AddBlob(big);
        archive.Commit(batch);

        Assert.Equal(big, archive.GetBlob(id));
        Assert.True(archive.GetStats().ExternalBlobBytes > 0);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RebuildIndex_FromSegmentsAlone_GivesTheSameListingAndStats(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init();
        for (var i = 0; i < 12; i++)
        {
            archive.Commit(SampleConversations.Create(i).Batch);
        }

        var before = archive.ListConversations(100);
        var statsBefore = archive.GetStats();
        archive.RebuildIndex();

        Assert.Equal(before, archive.ListConversations(100), new SummaryComparer());
        var statsAfter = archive.GetStats();
        Assert.Equal(statsBefore.Nodes, statsAfter.Nodes);
        Assert.Equal(statsBefore.Instances, statsAfter.Instances);
        Assert.Equal(statsBefore.RawBytes, statsAfter.RawBytes);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    [Fact]
    public void Search_WordsFromAMessage_FindsItWithHighlights()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init();
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = "q", Title = "Kettles" });
        part.AddNode(new Node { Role = "user", Content = [new TextBlock("How long does a copper kettle take to boil?")] });
        archive.Commit(batch);
        archive.Commit(SampleConversations.Create(3).Batch);

        var hits = archive.Search("copper kettle");
        var hit = Assert.Single(hits);
        Assert.Equal(part.Id, hit.Conversation);
        Assert.Contains("«copper»", hit.Snippet, StringComparison.Ordinal);
        Assert.Empty(archive.Search("\"kettle copper\""));
        Assert.Empty(archive.Search("AND OR NOT ( *"));
    }

    [Fact]
    public void Stats_AfterCommits_ReportsCountsRatioTiersAndModels()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init();
        archive.Commit(SampleConversations.Create(1, turns: 2, branches: 3).Batch);
        var s = archive.GetStats();

        Assert.Equal(1, s.Conversations);
        Assert.Equal(3, s.Instances);
        Assert.Equal(3, s.InstancesByTier["T3"]);
        Assert.Equal(6, s.TurnsByModel["gpt-4o-2024-08-06"]);
        Assert.True(s.RawBytes > 0);
        Assert.True(s.StoredBytes > 0);
        Assert.Equal((double)s.StoredBytes / s.RawBytes, s.Ratio);
    }

    [Fact]
    public void Resolve_UniquePrefix_FindsConversationOrNode()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init();
        var (batch, cid, leaves) = SampleConversations.Create(1);
        archive.Commit(batch);

        Assert.Equal(cid, archive.Resolve(cid[7..20]).Id);
        Assert.Equal(Reading.ResolvedKind.Node, archive.Resolve(leaves[0]).Kind);
        Assert.Equal(Reading.ResolvedKind.None, archive.Resolve("ffffffffffff").Kind);
    }

    private sealed class SummaryComparer : IEqualityComparer<Reading.ConversationSummary>
    {
        public bool Equals(Reading.ConversationSummary? x, Reading.ConversationSummary? y)
            => x is not null && y is not null && x.Id == y.Id && x.Nodes == y.Nodes && x.Instances == y.Instances && x.Tier == y.Tier
               && x.Title == y.Title && x.Models.SequenceEqual(y.Models) && x.RawBytes == y.RawBytes && x.Created == y.Created;

        public int GetHashCode(Reading.ConversationSummary obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}

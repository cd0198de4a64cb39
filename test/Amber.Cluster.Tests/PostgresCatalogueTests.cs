using System.Text.Json.Nodes;
using Amber.Cluster.Catalogue;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Testing;

namespace Amber.Cluster.Tests;

/// <summary>The PostgreSQL catalogue against a real PostgreSQL (scripts/services): rebuilt from the segments alone, read back.</summary>
public sealed class PostgresCatalogueTests : IDisposable
{
    private readonly TestArchives archives = new(FileSystemKind.Local);

    public void Dispose() => archives.Dispose();

    [Fact]
    public async Task Rebuild_FromTheSegments_HoldsWhatTheEmbeddedIndexHolds()
    {
        using var archive = Archive.Init(archives.Options());
        var ids = new List<string>();
        for (var seed = 1; seed <= 6; seed++)
        {
            var (batch, id, _) = SampleConversations.Create(seed);
            archive.Commit(batch);
            ids.Add(id);
        }

        await using var catalogue = PostgresCatalogue.Open(ClusterServices.Require().Catalog, NewSchema());
        var report = await catalogue.RebuildAsync(archive, cancellationToken: Ct);

        var stats = archive.GetStats();
        Assert.Equal(stats.Conversations, report.Conversations);
        Assert.Equal(stats.Nodes, report.Nodes);
        Assert.Equal(stats.Conversations, await catalogue.CountAsync("conversations", Ct));
        Assert.Equal(stats.Nodes, await catalogue.CountAsync("nodes", Ct));
        Assert.Equal(archive.GetLastSequence(), await catalogue.CountAsync("commits", Ct));
        Assert.Equal(archive.ArchiveId, await catalogue.MetaAsync("archive_id", Ct));
        Assert.Equal("2", await catalogue.MetaAsync("catalogue_schema", Ct));

        // The same conversations, newest first, with the same titles and times as the embedded index lists them.
        var embedded = archive.ListConversations(limit: 100);
        var listed = await catalogue.ListAsync(100, Ct);
        Assert.Equal(embedded.Select(c => (c.Id, c.Title, c.Created)), listed.Select(c => (c.Id, c.Title, c.Created)));
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(c => c.Id).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("lighthouse")]
    [InlineData("Question")]
    [InlineData("\"helpful assistant\"")]
    public async Task Search_FindsTheMessagesTheEmbeddedSearchFinds(string query)
    {
        using var archive = Archive.Init(archives.Options());
        for (var seed = 1; seed <= 8; seed++)
        {
            archive.Commit(SampleConversations.Create(seed).Batch);
        }

        archive.Commit(Single("tell me about the lighthouse keeper", tenant: null).Batch);
        await using var catalogue = PostgresCatalogue.Open(ClusterServices.Require().Catalog, NewSchema());
        await catalogue.RebuildAsync(archive, cancellationToken: Ct);

        var embedded = archive.Search(query, limit: 1000).Select(h => h.Node).ToHashSet();
        var found = await catalogue.SearchAsync(query, 1000, cancellationToken: Ct);
        Assert.NotEmpty(found);
        Assert.Equal(embedded.Order(StringComparer.Ordinal), found.Select(h => h.Node).Distinct().Order(StringComparer.Ordinal));
        Assert.All(found, h => Assert.Contains(h.Conversation, archive.ConversationsOf(h.Node)));
    }

    [Fact]
    public async Task Search_Newest_IsArchiveOrder_AndRanked_PutsTheBetterMatchFirst()
    {
        using var archive = Archive.Init(archives.Options());
        var older = Single("a marmot", tenant: null);
        archive.Commit(older.Batch);
        var newer = Single("marmot marmot marmot, the marmot of marmots", tenant: null);
        archive.Commit(newer.Batch);
        var newest = Single("one marmot among many other words that dilute the match a great deal more", tenant: null);
        archive.Commit(newest.Batch);
        await using var catalogue = PostgresCatalogue.Open(ClusterServices.Require().Catalog, NewSchema());
        await catalogue.RebuildAsync(archive, cancellationToken: Ct);

        var byTime = await catalogue.SearchAsync("marmot", 10, SearchOrder.Newest, cancellationToken: Ct);
        Assert.Equal([newest.Node, newer.Node, older.Node], byTime.Select(h => h.Node));
        var byRank = await catalogue.SearchAsync("marmot", 10, SearchOrder.Rank, cancellationToken: Ct);
        Assert.Equal(newer.Node, byRank[0].Node);
    }

    [Fact]
    public async Task Search_WithATenant_SeesOnlyThatTenantsConversations()
    {
        using var archive = Archive.Init(archives.Options());
        var a = Single("the quokka of tenant a", tenant: "a");
        var b = Single("the quokka of tenant b", tenant: "b");
        archive.Commit(a.Batch);
        archive.Commit(b.Batch);
        await using var catalogue = PostgresCatalogue.Open(ClusterServices.Require().Catalog, NewSchema());
        await catalogue.RebuildAsync(archive, cancellationToken: Ct);

        Assert.Equal([a.Node], (await catalogue.SearchAsync("quokka", 10, tenant: "a", cancellationToken: Ct)).Select(h => h.Node));
        Assert.Equal([b.Node], (await catalogue.SearchAsync("quokka", 10, tenant: "b", cancellationToken: Ct)).Select(h => h.Node));
        Assert.Empty(await catalogue.SearchAsync("quokka", 10, tenant: "c", cancellationToken: Ct));
        Assert.Equal(2, (await catalogue.SearchAsync("quokka", 10, cancellationToken: Ct)).Count);
    }

    [Fact]
    public async Task Rebuild_Again_ReplacesTheCatalogue_WithTheNewCommits()
    {
        using var archive = Archive.Init(archives.Options());
        archive.Commit(SampleConversations.Create(1).Batch);
        await using var catalogue = PostgresCatalogue.Open(ClusterServices.Require().Catalog, NewSchema());
        await catalogue.RebuildAsync(archive, cancellationToken: Ct);
        Assert.Equal(1, await catalogue.CountAsync("conversations", Ct));
        Assert.Empty(await catalogue.SearchAsync("wombat", 10, cancellationToken: Ct));

        var later = Single("a wombat arrives later", tenant: null);
        archive.Commit(later.Batch);
        await catalogue.RebuildAsync(archive, cancellationToken: Ct);
        Assert.Equal(2, await catalogue.CountAsync("conversations", Ct));
        Assert.Equal([later.Node], (await catalogue.SearchAsync("wombat", 10, cancellationToken: Ct)).Select(h => h.Node));
    }

    [Fact]
    public async Task Reading_ASchemaWithNoCatalogue_SaysHowToBuildIt()
    {
        await using var catalogue = PostgresCatalogue.Open(ClusterServices.Require().Catalog, NewSchema());
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => catalogue.ListAsync(10, Ct));
        Assert.Contains("amber index rebuild --catalog", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rebuild_NeedsTheWriter()
    {
        using (Archive.Init(archives.Options()))
        {
        }

        using var writer = Archive.Open(archives.Options());
        using var reader = Archive.Open(archives.Options());
        Assert.True(reader.IsReadOnly);
        await using var catalogue = PostgresCatalogue.Open(ClusterServices.Require().Catalog, NewSchema());
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => catalogue.RebuildAsync(reader, cancellationToken: Ct));
        Assert.Contains("writer lock", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryIndexTable_HasAPostgresTable_ColumnForColumn()
    {
        Assert.Equal(Amber.Storage.Index.IndexTables.All.Select(t => t.Name).Order(StringComparer.Ordinal),
            PostgresSchema.Tables.Select(t => t.Rows.Name).Order(StringComparer.Ordinal));
        Assert.All(PostgresSchema.Tables, t => Assert.Equal(t.Rows.Columns.Length, t.Kinds.Length));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewSchema() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A conversation of one user message, of a tenant (kept in the node's meta, as the gateway keeps it).</summary>
    private static (CommitBatch Batch, string Node) Single(string text, string? tenant)
    {
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "synthetic", SourceId = text, Title = text, Created = "2026-01-01T00:00:00Z" });
        var node = part.AddNode(new Node
        {
            Role = "user",
            Content = [new TextBlock(text)],
            Created = "2026-01-01T00:00:00Z",
            Meta = tenant is null ? null : new JsonObject { ["tenant"] = tenant },
        });
        return (batch, node);
    }
}

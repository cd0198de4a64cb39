using System.Globalization;
using Amber.Cluster.Catalogue;
using Amber.Storage;
using Amber.Testing;
using Npgsql;

namespace Amber.Cluster.Tests;

/// <summary>
/// The catalogue following the archive commit by commit (a node applying each acknowledged commit), against a real
/// PostgreSQL: it must hold exactly the rows a rebuild from the segments gives.
/// </summary>
public sealed class CatalogueApplyTests : IDisposable
{
    private readonly TestArchives archives = new(FileSystemKind.Local);

    public void Dispose() => archives.Dispose();

    [Fact]
    public async Task ApplyingCommitsOneByOne_GivesTheRowsOfARebuild()
    {
        using var archive = Archive.Init(archives.Options());
        var catalog = ClusterServices.Require().Catalog;
        await using var applied = PostgresCatalogue.Open(catalog, NewSchema());
        for (var seed = 1; seed <= 5; seed++)
        {
            archive.Commit(SampleConversations.Create(seed).Batch);
            var step = await applied.ApplyAsync(archive, "node-a", Ct);
            Assert.Equal(0, step.Skipped);
        }

        // Later turns of conversations already in the catalogue: their rows are updated, not only added.
        archive.Commit(SampleConversations.Create(2, turns: 7).Batch);
        archive.Commit(SampleConversations.Create(4, turns: 6, branches: 3).Batch);
        await applied.ApplyAsync(archive, "node-a", Ct);

        await using var rebuilt = PostgresCatalogue.Open(catalog, NewSchema());
        await rebuilt.RebuildAsync(archive, cancellationToken: Ct, shard: "node-a");

        Assert.Equal(archive.GetStats().Nodes, await applied.CountAsync("nodes", Ct));
        foreach (var table in TableNames())
        {
            Assert.Equal(await DumpAsync(catalog, rebuilt.Schema, table), await DumpAsync(catalog, applied.Schema, table));
        }

        Assert.Equal(await rebuilt.ShardPositionAsync("node-a", Ct), await applied.ShardPositionAsync("node-a", Ct));
    }

    [Fact]
    public async Task ApplyingAgain_ChangesNothing_AndACommitAlreadyHeldIsSkippedByItsHash()
    {
        using var archive = Archive.Init(archives.Options());
        var catalog = ClusterServices.Require().Catalog;
        await using var catalogue = PostgresCatalogue.Open(catalog, NewSchema());
        archive.Commit(SampleConversations.Create(1).Batch);
        archive.Commit(SampleConversations.Create(2).Batch);
        var first = await catalogue.ApplyAsync(archive, "node-a", Ct);
        Assert.True(first.Frames >= 2);
        var before = await DumpAllAsync(catalog, catalogue.Schema);

        var again = await catalogue.ApplyAsync(archive, "node-a", Ct);
        Assert.Equal(0, again.Frames);
        Assert.Equal(first.Position, again.Position);
        Assert.Equal(before, await DumpAllAsync(catalog, catalogue.Schema));

        // With its high-water mark lost, the shard is read from the start again: every commit is found by its hash and skipped.
        await ExecAsync(catalog, $"DELETE FROM \"{catalogue.Schema}\".shards");
        var replayed = await catalogue.ApplyAsync(archive, "node-a", Ct);
        Assert.Equal(2, replayed.Skipped);
        Assert.Equal(before, await DumpAllAsync(catalog, catalogue.Schema));
    }

    [Fact]
    public async Task ACatalogueAlreadyRebuilt_IsFollowedFromItsMark()
    {
        using var archive = Archive.Init(archives.Options());
        var catalog = ClusterServices.Require().Catalog;
        archive.Commit(SampleConversations.Create(1).Batch);
        await using var catalogue = PostgresCatalogue.Open(catalog, NewSchema());
        await catalogue.RebuildAsync(archive, cancellationToken: Ct, shard: "node-a");
        var (batch, id, _) = SampleConversations.Create(9);
        archive.Commit(batch);

        var step = await catalogue.ApplyAsync(archive, "node-a", Ct);
        Assert.Equal(0, step.Skipped);
        Assert.Contains(id, (await catalogue.ListAsync(10, Ct)).Select(c => c.Id));
        Assert.Equal(2, await catalogue.CountAsync("conversations", Ct));
    }

    [Fact]
    public async Task AShardNameHeldByAnotherArchive_IsRefused()
    {
        var catalog = ClusterServices.Require().Catalog;
        await using var catalogue = PostgresCatalogue.Open(catalog, NewSchema());
        using (var one = Archive.Init(archives.Options()))
        {
            one.Commit(SampleConversations.Create(1).Batch);
            await catalogue.ApplyAsync(one, "node-a", Ct);
        }

        using var other = new TestArchives(FileSystemKind.Local);
        // Another seed: TestArchives' seeded randomness would give the second archive the first one's id.
        var seed = new Random(7);
        using var two = Archive.Init(other.Options(o => o with { Random = b => seed.NextBytes(b) }));
        two.Commit(SampleConversations.Create(2).Batch);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => catalogue.ApplyAsync(two, "node-a", Ct));
        Assert.Contains("shard 'node-a' holds archive", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, await catalogue.CountAsync("conversations", Ct));
    }

    private static IEnumerable<string> TableNames() => PostgresSchema.Tables.Select(t => t.Rows.Name).Append("node_text").Append("shards");

    private static async Task<string> DumpAllAsync(string catalog, string schema)
    {
        var all = new List<string>();
        foreach (var table in TableNames())
        {
            all.Add(table + ":\n" + await DumpAsync(catalog, schema, table));
        }

        return string.Join("\n", all);
    }

    /// <summary>Every row of a table as text, in a stable order (PostgreSQL's own text form of each value).</summary>
    private static async Task<string> DumpAsync(string catalog, string schema, string table)
    {
        await using var c = new NpgsqlConnection(catalog);
        await c.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand($"SELECT t::text FROM \"{schema}\".\"{table}\" t ORDER BY t::text COLLATE \"C\"", c);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await r.ReadAsync(Ct))
        {
            rows.Add(r.GetString(0));
        }

        return table + " " + rows.Count.ToString(CultureInfo.InvariantCulture) + "\n" + string.Join("\n", rows);
    }

    private static async Task ExecAsync(string catalog, string sql)
    {
        await using var c = new NpgsqlConnection(catalog);
        await c.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewSchema() => "t" + Guid.NewGuid().ToString("N")[..12];
}

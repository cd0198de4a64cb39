using System.Text.Json.Nodes;
using Amber.Cluster.Catalogue;
using Amber.Testing;

namespace Amber.Cli.Tests.Cluster;

/// <summary><c>amber index rebuild --catalog</c> against a real PostgreSQL (scripts/services).</summary>
public sealed class CatalogueRebuildCommandTests
{
    [Fact]
    public async Task IndexRebuild_WithCatalog_FillsThePostgresCatalogue_AndItSearches()
    {
        var services = ClusterServices.Require();
        using var cli = new CliRunner();
        cli.Seed(3);
        var schema = "cli" + Guid.NewGuid().ToString("N")[..10];

        var (exit, output, error) = cli.Run("index", "rebuild", "--catalog", services.Catalog, "--catalog-schema", schema, "--json");

        Assert.True(exit == 0, error);
        var report = JsonNode.Parse(output)!;
        Assert.Equal("postgresql", report["catalog"]!.GetValue<string>());
        Assert.Equal(3, report["conversations"]!.GetValue<long>());
        Assert.DoesNotContain(services.Catalog, output, StringComparison.Ordinal);
        await using var catalogue = PostgresCatalogue.Open(services.Catalog, schema);
        Assert.Equal(3, (await catalogue.ListAsync(10, TestContext.Current.CancellationToken)).Count);
        Assert.NotEmpty(await catalogue.SearchAsync("Question", 10, cancellationToken: TestContext.Current.CancellationToken));
        // The SQLite index is left as it was.
        Assert.Equal(0, cli.Run("verify").Exit);
    }

    [Fact]
    public void IndexRebuild_WithAnUnreachableCatalog_FailsClearly_WithoutEchoingTheConnectionString()
    {
        using var cli = new CliRunner();
        cli.Seed(1);
        const string Connection = "Host=127.0.0.1;Port=1;Username=nobody;Password=s3cret-value;Database=none;Timeout=2";

        var (exit, output, error) = cli.Run("index", "rebuild", "--catalog", Connection);

        Assert.NotEqual(0, exit);
        Assert.Contains("PostgreSQL catalogue could not be rebuilt", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-value", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IndexRebuild_WithCatalog_RefusesToDropTheRowsOfAnotherShard()
    {
        var services = ClusterServices.Require();
        var schema = "cli" + Guid.NewGuid().ToString("N")[..10];
        using var other = new CliRunner();
        await using var catalogue = PostgresCatalogue.Open(services.Catalog, schema);
        using (var archive = Amber.Storage.Archive.Open(other.Options(createIfMissing: true)))
        {
            archive.Commit(SampleConversations.Create(30).Batch);
            archive.Commit(SampleConversations.Create(31).Batch);
            await catalogue.ApplyAsync(archive, "node-x", TestContext.Current.CancellationToken);
        }

        using var cli = new CliRunner();
        cli.Seed(3);
        var (exit, _, error) = cli.Run("index", "rebuild", "--catalog", services.Catalog, "--catalog-schema", schema);

        Assert.NotEqual(0, exit);
        Assert.Contains("node-x", error, StringComparison.Ordinal);
        Assert.Contains("--from-store", error, StringComparison.Ordinal);
        Assert.Equal(2, (await catalogue.ListAsync(10, TestContext.Current.CancellationToken)).Count);
    }

    [Fact]
    public async Task IndexRebuild_FromStore_RebuildsEveryShard_WithoutTheirSigningKeys()
    {
        var services = ClusterServices.Require();
        var schema = "cli" + Guid.NewGuid().ToString("N")[..10];
        var bucket = "t-" + Guid.NewGuid().ToString("N")[..16];
        var store = "s3://" + bucket;
        var options = new Amber.Cluster.Objects.ObjectStoreOptions(Amber.Cluster.Objects.ObjectStoreLocation.Parse(store))
        {
            Endpoint = services.S3,
            Region = services.Region,
            LockMode = Amber.Cluster.Objects.RetentionMode.Governance,
            Retention = TimeSpan.FromDays(1),
        };
        using (var s3 = await Amber.Cluster.Objects.S3ObjectStore.OpenAsync(options, TimeProvider.System, create: true, TestContext.Current.CancellationToken))
        {
            foreach (var (node, first, count) in new[] { ("node-a", 10, 2), ("node-b", 20, 3) })
            {
                using var shard = new CliRunner();
                using var archive = Amber.Storage.Archive.Open(shard.Options(createIfMissing: true));
                for (var i = 0; i < count; i++)
                {
                    archive.Commit(SampleConversations.Create(first + i).Batch);
                }

                await new Amber.Cluster.Shipping.ShardShipper(s3, node).ShipAsync(archive, TestContext.Current.CancellationToken);
            }
        }

        using var cli = new CliRunner();
        var (exit, output, error) = cli.RunWith(new Dictionary<string, string?> { ["AMBER_STORE"] = store },
            "index", "rebuild", "--catalog", services.Catalog, "--catalog-schema", schema, "--from-store", "--json");

        Assert.True(exit == 0, error);
        var report = JsonNode.Parse(output)!;
        Assert.Equal(2, report["shards"]!.GetValue<int>());
        Assert.Equal(5, report["conversations"]!.GetValue<long>());
        await using var catalogue = PostgresCatalogue.Open(services.Catalog, schema);
        Assert.Equal(["node-a", "node-b"], (await catalogue.ShardsAsync(TestContext.Current.CancellationToken)).Select(s => s.Shard));
    }

    [Fact]
    public void IndexRebuild_FromStore_WithoutCatalog_IsRefused()
    {
        using var cli = new CliRunner();
        cli.Seed(1);
        var (exit, _, error) = cli.Run("index", "rebuild", "--from-store");
        Assert.NotEqual(0, exit);
        Assert.Contains("--catalog", error, StringComparison.Ordinal);
    }
}

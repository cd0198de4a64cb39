using System.Text.Json.Nodes;
using Amber.Cluster.Catalogue;
using Amber.Cluster.Objects;
using Amber.Testing;

namespace Amber.Cli.Tests.Cluster;

/// <summary><c>amber init --cluster</c> against the real RGW and PostgreSQL (scripts/services).</summary>
public sealed class ClusterInitCommandTests
{
    [Fact]
    public async Task InitCluster_CreatesALockedBucket_AndAnEmptyCatalogue_AndAgainChangesNothing()
    {
        var services = ClusterServices.Require();
        var bucket = "t-" + Guid.NewGuid().ToString("N")[..16];
        var schema = "cli" + Guid.NewGuid().ToString("N")[..10];
        using var cli = new CliRunner();
        string[] args = ["init", "--cluster", "--store", "s3://" + bucket, "--catalog", services.Catalog, "--catalog-schema", schema, "--lock-mode", "governance", "--json"];

        var (exit, output, error) = cli.Run(args);

        Assert.True(exit == 0, error);
        var report = JsonNode.Parse(output)!;
        Assert.True(report["catalog_created"]!.GetValue<bool>());
        Assert.Equal("governance", report["lock_mode"]!.GetValue<string>());
        Assert.DoesNotContain(services.Catalog, output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(cli.ArchiveDir));

        // The bucket has Object Lock: opening it without allowing an unlocked bucket, and without creating it, works.
        var options = new ObjectStoreOptions(ObjectStoreLocation.Parse("s3://" + bucket)) { Endpoint = services.S3, Region = services.Region };
        using (var store = await S3ObjectStore.OpenAsync(options, TimeProvider.System, create: false, TestContext.Current.CancellationToken))
        {
            Assert.NotEqual(RetentionMode.None, store.BucketLock);
        }

        await using (var catalogue = PostgresCatalogue.Open(services.Catalog, schema))
        {
            Assert.Empty(await catalogue.ListAsync(10, TestContext.Current.CancellationToken));
            Assert.Empty(await catalogue.ShardsAsync(TestContext.Current.CancellationToken));
        }

        var again = cli.Run(args);
        Assert.True(again.Exit == 0, again.Err);
        Assert.False(JsonNode.Parse(again.Out)!["catalog_created"]!.GetValue<bool>());
    }

    [Fact]
    public void InitCluster_WithoutAStore_SaysWhatIsMissing()
    {
        using var cli = new CliRunner();
        var (exit, _, error) = cli.RunWith(new Dictionary<string, string?> { ["AMBER_STORE"] = null }, "init", "--cluster", "--catalog", "Host=127.0.0.1");
        Assert.NotEqual(0, exit);
        Assert.Contains("AMBER_STORE", error, StringComparison.Ordinal);
    }
}

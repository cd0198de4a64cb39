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
}

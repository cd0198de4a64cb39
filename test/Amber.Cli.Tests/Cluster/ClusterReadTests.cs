using Amber.Cluster.Catalogue;
using Amber.Storage;
using Amber.Testing;

namespace Amber.Cli.Tests.Cluster;

/// <summary>
/// <c>amber ls --cluster</c> (or <c>AMBER_CLUSTER=1</c>) reads the cluster archive through its PostgreSQL catalogue
/// (scripts/services) and writes the same <c>--json</c> lines as the embedded archive holding the same data.
/// </summary>
public sealed class ClusterReadTests
{
    [Fact]
    public void Ls_Cluster_GivesTheJsonLinesOfTheEmbeddedArchive()
    {
        var services = ClusterServices.Require();
        using var cli = new CliRunner();
        using (var archive = Archive.Open(cli.Options(createIfMissing: true)))
        {
            for (var seed = 1; seed <= 6; seed++)
            {
                archive.Commit(SampleConversations.Create(seed, turns: 2 + seed % 3, branches: 1 + seed % 2).Batch);
            }
        }

        var schema = "cli" + Guid.NewGuid().ToString("N")[..10];
        Assert.Equal(0, cli.Run("index", "rebuild", "--catalog", services.Catalog, "--catalog-schema", schema).Exit);
        var cluster = new Dictionary<string, string?> { ["AMBER_CATALOG"] = services.Catalog, ["AMBER_CLUSTER__CATALOGSCHEMA"] = schema };

        foreach (var args in new[] { new[] { "ls", "--json" }, ["ls", "--json", "--instances"], ["ls", "--json", "-n", "3"], ["ls", "--json", "--tier", "T2"] })
        {
            var embedded = cli.Run(args);
            Assert.True(embedded.Exit == 0, embedded.Err);
            var read = cli.RunWith(cluster, [.. args, "--cluster"]);
            Assert.True(read.Exit == 0, read.Err);
            Assert.Equal(embedded.Out, read.Out);
            Assert.Equal(embedded.Out, cli.RunWith(new Dictionary<string, string?>(cluster) { ["AMBER_CLUSTER"] = "1" }, args).Out);
        }

        Assert.NotEmpty(cli.Run("ls", "--json").Out);
    }

    [Fact]
    public async Task Ls_Cluster_ListsEveryShard_AndWithoutTheSwitchReadsTheFolder()
    {
        var services = ClusterServices.Require();
        var schema = "cli" + Guid.NewGuid().ToString("N")[..10];
        await using var catalogue = PostgresCatalogue.Open(services.Catalog, schema);
        using var a = new CliRunner();
        using var b = new CliRunner();
        foreach (var (runner, shard, first) in new[] { (a, "node-a", 40), (b, "node-b", 50) })
        {
            using var archive = Archive.Open(runner.Options(createIfMissing: true));
            for (var seed = first; seed < first + 3; seed++)
            {
                archive.Commit(SampleConversations.Create(seed).Batch);
            }

            await catalogue.ApplyAsync(archive, shard, TestContext.Current.CancellationToken);
        }

        var cluster = new Dictionary<string, string?> { ["AMBER_CATALOG"] = services.Catalog, ["AMBER_CLUSTER__CATALOGSCHEMA"] = schema };
        var lines = Lines(a.RunWith(cluster, "ls", "--json", "--cluster").Out);
        Assert.Equal(Lines(a.Run("ls", "--json").Out).Concat(Lines(b.Run("ls", "--json").Out)).Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
        // AMBER_CATALOG alone (as CI sets it for every test) does not switch reads away from the archive folder.
        Assert.Equal(a.Run("ls", "--json").Out, a.RunWith(cluster, "ls", "--json").Out);
    }

    [Fact]
    public void Ls_Cluster_WithoutACatalogue_SaysWhatIsMissing()
    {
        using var cli = new CliRunner();
        var (exit, _, error) = cli.RunWith(new Dictionary<string, string?> { ["AMBER_CATALOG"] = null }, "ls", "--cluster");
        Assert.NotEqual(0, exit);
        Assert.Contains("AMBER_CATALOG", error, StringComparison.Ordinal);
    }

    private static List<string> Lines(string output) => [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}

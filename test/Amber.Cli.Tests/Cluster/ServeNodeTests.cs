using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amber.Cli.Tests.Hardening;
using Amber.Cluster.Catalogue;
using Amber.Cluster.Objects;
using Amber.Testing;

namespace Amber.Cli.Tests.Cluster;

/// <summary><c>amber serve --node</c> against a real S3 server with Object Lock (Ceph RGW) and a real PostgreSQL (scripts/services).</summary>
public sealed class ServeNodeTests
{
    [Fact]
    public async Task TwoNodes_AckReplicated_EachAnswerEndsOnceItsCommitIsInTheStoreAndTheCatalogue()
    {
        var services = ClusterServices.Require();
        var bucket = NewBucket();
        var schema = NewSchema();
        await using var upstream = await FakeUpstream.StartAsync();
        using var a = new CliRunner();
        using var b = new CliRunner();
        var conversations = new List<string>();
        await using (var nodeA = await RunningServer.StartAsync(a, Node("node-a", bucket, schema, upstream, "replicated")))
        await using (var nodeB = await RunningServer.StartAsync(b, Node("node-b", bucket, schema, upstream, "replicated")))
        {
            Assert.Contains("node node-a: shipping to s3://" + bucket, nodeA.Printed, StringComparison.Ordinal);
            var i = 0;
            foreach (var node in new[] { nodeA, nodeB, nodeA })
            {
                upstream.Answer($"answer number {i}");
                await AskAsync(node, $"question number {i++}");

                // No waiting: the answer has ended, so its commit is in the catalogue and the object store already.
                await using var catalogue = PostgresCatalogue.Open(services.Catalog, schema);
                Assert.Equal(i, await catalogue.CountAsync("conversations", Ct));
                Assert.NotEmpty(await catalogue.SearchAsync($"\"question number {i - 1}\"", 10, cancellationToken: Ct));
            }
        }

        await using (var catalogue = PostgresCatalogue.Open(services.Catalog, schema))
        {
            Assert.Equal(3, await catalogue.CountAsync("conversations", Ct));
            Assert.NotNull(await catalogue.ShardPositionAsync("node-a", Ct));
            Assert.NotNull(await catalogue.ShardPositionAsync("node-b", Ct));
        }

        using var store = await OpenStoreAsync(bucket, create: false);
        foreach (var (node, runner) in new[] { ("node-a", a), ("node-b", b) })
        {
            var names = new List<string>();
            await foreach (var o in store.ListAsync($"shards/{node}/", Ct))
            {
                names.Add(o.Name);
            }

            Assert.Contains($"shards/{node}/log/vkey", names);
            Assert.Contains(names, n => n.StartsWith($"shards/{node}/tails/seg-000001.amb/", StringComparison.Ordinal));
            // The shard's log is the node's own: its origin names the node.
            Assert.StartsWith($"amber.node/{node}+", await File.ReadAllTextAsync(Path.Combine(runner.ArchiveDir, "log", "vkey"), Ct), StringComparison.Ordinal);
            // Credentials never reach the archive.
            foreach (var file in Directory.EnumerateFiles(runner.ArchiveDir, "*", SearchOption.AllDirectories))
            {
                Assert.DoesNotContain(Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")!, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, Ct)), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task AckLocal_ShipsInTheBackground_WithinTheInterval()
    {
        var services = ClusterServices.Require();
        var bucket = NewBucket();
        var schema = NewSchema();
        await using var upstream = await FakeUpstream.StartAsync();
        using var cli = new CliRunner();
        await using var node = await RunningServer.StartAsync(cli, [.. Node("node-l", bucket, schema, upstream, "local"), "--ship-seconds", "0.5"]);
        upstream.Answer("shipped later");
        await AskAsync(node, "a question for the background shipper");

        await using var catalogue = PostgresCatalogue.Open(services.Catalog, schema);
        for (var tries = 0; tries < 200 && await catalogue.CountAsync("conversations", Ct) == 0; tries++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Equal(1, await catalogue.CountAsync("conversations", Ct));
    }

    [Fact]
    public async Task ABucketWithoutObjectLock_IsRefused_UnlessAllowUnlocked()
    {
        var services = ClusterServices.Require();
        var bucket = NewBucket();
        using (await OpenStoreAsync(bucket, create: true, locked: false))
        {
        }

        await using var upstream = await FakeUpstream.StartAsync();
        using var cli = new CliRunner();
        var (exit, _, err) = cli.Run([.. Node("node-u", bucket, NewSchema(), upstream, "local"), "--listen", $"127.0.0.1:{RunningServer.FreePort()}"]);
        Assert.Equal(1, exit);
        Assert.Contains("has no Object Lock", err, StringComparison.Ordinal);
        Assert.Contains("--allow-unlocked", err, StringComparison.Ordinal);

        await using var node = await RunningServer.StartAsync(cli, [.. Node("node-u", bucket, NewSchema(), upstream, "local"), "--allow-unlocked"]);
        Assert.Contains("node node-u", node.Printed, StringComparison.Ordinal);
        _ = services;
    }

    [Theory]
    [InlineData("serve --ack replicated --store s3://some-bucket --catalog Host=127.0.0.1", "is for a cluster node")]
    [InlineData("serve --node Not_A_Name --store s3://some-bucket --catalog Host=127.0.0.1", "--node")]
    [InlineData("serve --node node-a", "AMBER_STORE")]
    public async Task ClusterOptions_WithoutWhatTheyNeed_AreUsageErrors(string args, string said)
    {
        using var cli = new CliRunner();
        var environment = cli.Environment.Where(v => v.Key is not ("AMBER_STORE" or "AMBER_CATALOG")).ToDictionary();
        var error = new StringWriter();
        var exit = await AmberCli.RunAsync(["--archive", cli.ArchiveDir, .. args.Split(' ')], new StringWriter(), error, environment, Ct);
        Assert.Equal(2, exit);
        Assert.Contains(said, error.ToString(), StringComparison.Ordinal);
    }

    private static string[] Node(string name, string bucket, string schema, FakeUpstream upstream, string ack) =>
    [
        "serve", "--node", name, "--store", "s3://" + bucket, "--catalog", ClusterServices.Require().Catalog, "--catalog-schema", schema,
        "--ack", ack, "--lock-mode", "governance", "--retention-days", "1", "--openai-upstream", upstream.Url.ToString(),
    ];

    private static async Task AskAsync(RunningServer node, string question)
    {
        using var http = new HttpClient { BaseAddress = node.Url };
        using var response = await http.PostAsync("/v1/chat/completions",
            new StringContent($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{question}}"}]}""", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(response.Headers.GetValues("Amber-Instance"));
    }

    private static Task<S3ObjectStore> OpenStoreAsync(string bucket, bool create, bool locked = true)
    {
        var services = ClusterServices.Require();
        return S3ObjectStore.OpenAsync(new ObjectStoreOptions(ObjectStoreLocation.Parse("s3://" + bucket))
        {
            Endpoint = services.S3,
            Region = services.Region,
            LockMode = locked ? RetentionMode.Governance : RetentionMode.None,
            AllowUnlocked = !locked,
            Retention = TimeSpan.FromDays(1),
        }, TimeProvider.System, create, Ct);
    }

    private static string NewBucket() => "t-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static string NewSchema() => "t" + Guid.NewGuid().ToString("N")[..12];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Amber.Cluster.Catalogue;
using Amber.Cluster.Objects;
using Amber.Cluster.Shipping;
using Amber.Storage;
using Amber.Testing;
using Npgsql;

namespace Amber.Cluster.Tests;

/// <summary>A node's shard shipped to a real S3 server with Object Lock (Ceph RGW) and applied to a real PostgreSQL.</summary>
public sealed class ShardShipperTests : IDisposable
{
    private readonly TestArchives archives = new(FileSystemKind.Local);

    public void Dispose() => archives.Dispose();

    [Fact]
    public async Task Ship_PutsTheShard_LockedUnderItsPrefix_AndTheObjectsGiveBackTheFiles()
    {
        using var archive = archives.Init(Small);
        for (var seed = 1; seed <= 12; seed++)
        {
            archive.Commit(SampleConversations.Create(seed).Batch);
        }

        using var store = await TestStores.OpenAsync();
        var report = await new ShardShipper(store, "node-a").ShipAsync(archive, Ct);
        Assert.True(report.Objects > 0);

        var objects = await ListAsync(store, "shards/node-a/");
        Assert.Contains("shards/node-a/archive.json", objects);
        Assert.Contains("shards/node-a/log/vkey", objects);
        Assert.Contains(objects, o => o.StartsWith("shards/node-a/segments/seg-", StringComparison.Ordinal));
        Assert.Contains(objects, o => o.StartsWith("shards/node-a/tails/seg-", StringComparison.Ordinal));
        Assert.Contains(objects, o => o.StartsWith("shards/node-a/blobs/", StringComparison.Ordinal));
        Assert.DoesNotContain(objects, o => o.Contains("signing", StringComparison.Ordinal) || o.Contains("index.db", StringComparison.Ordinal));
        foreach (var o in objects)
        {
            Assert.Equal(RetentionMode.Governance, (await store.RetentionAsync(o, Ct))!.LockMode);
        }

        await AssertRestoresAsync(store, "node-a", archive);
    }

    [Fact]
    public async Task Ship_Again_PutsNothing_AndAShipperStartedAfresh_CarriesOnFromWhatTheBucketHolds()
    {
        using var archive = archives.Init(Small);
        archive.Commit(SampleConversations.Create(1).Batch);
        var bucket = TestStores.NewBucket();
        using (var first = await TestStores.OpenAsync(bucket))
        {
            await new ShardShipper(first, "node-a").ShipAsync(archive, Ct);
            Assert.Equal(0, (await new ShardShipper(first, "node-a").ShipAsync(archive, Ct)).Objects);
        }

        for (var seed = 2; seed <= 8; seed++)
        {
            archive.Commit(SampleConversations.Create(seed).Batch);
        }

        using var again = await TestStores.OpenAsync(bucket);
        var before = (await ListAsync(again, "shards/node-a/")).Count;
        var report = await new ShardShipper(again, "node-a").ShipAsync(archive, Ct);
        Assert.Equal(before + report.Objects, (await ListAsync(again, "shards/node-a/")).Count);
        Assert.DoesNotContain((await ListAsync(again, "shards/node-a/")).GroupBy(n => n).Where(g => g.Count() > 1), _ => true);
        await AssertRestoresAsync(again, "node-a", archive);
    }

    [Fact]
    public async Task Replicate_ReturnsOnceTheCommitIsInTheStoreAndTheCatalogue()
    {
        using var archive = archives.Init(Small);
        using var store = await TestStores.OpenAsync();
        await using var catalogue = PostgresCatalogue.Open(ClusterServices.Require().Catalog, "t" + Guid.NewGuid().ToString("N")[..12]);
        using var node = new ClusterNode(archive, new ShardShipper(store, "node-b"), catalogue, TimeSpan.FromSeconds(2), TimeProvider.System);

        var (batch, id, _) = SampleConversations.Create(3);
        archive.Commit(batch);
        await node.ReplicateAsync(Ct);

        Assert.Contains(id, (await catalogue.ListAsync(10, Ct)).Select(c => c.Id));
        Assert.Equal(node.LastShipped!.Position, await catalogue.ShardPositionAsync("node-b", Ct));
        await AssertRestoresAsync(store, "node-b", archive);
    }

    [Fact]
    public async Task Run_StoppedWhileAPassWaitsOnTheCatalogue_EndsQuietly_AndTheNextPassAppliesIt()
    {
        using var archive = archives.Init(Small);
        using var store = await TestStores.OpenAsync();
        var catalog = ClusterServices.Require().Catalog;
        var schema = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var catalogue = PostgresCatalogue.Open(catalog, schema);
        using var node = new ClusterNode(archive, new ShardShipper(store, "node-c"), catalogue, TimeSpan.FromSeconds(30), TimeProvider.System);
        archive.Commit(SampleConversations.Create(2).Batch);
        await node.ReplicateAsync(Ct);
        var (batch, id, _) = SampleConversations.Create(3);
        archive.Commit(batch);

        // Another session holds the shards table, so the background pass blocks inside its catalogue transaction.
        await using var holder = new NpgsqlConnection(catalog);
        await holder.OpenAsync(Ct);
        await using (var tx = await holder.BeginTransactionAsync(Ct))
        {
            await using (var lockIt = new NpgsqlCommand($"LOCK TABLE \"{schema}\".shards IN ACCESS EXCLUSIVE MODE", holder, tx))
            {
                await lockIt.ExecuteNonQueryAsync(Ct);
            }

            using var stop = new CancellationTokenSource();
            var run = node.RunAsync(stop.Token);
            await WaitForALockWaitAsync(catalog, schema);
            await stop.CancelAsync();
            await run; // the stop that ClusterServing.DisposeAsync makes: no OperationCanceledException escapes
            await tx.RollbackAsync(Ct);
        }

        await node.ReplicateAsync(Ct);
        Assert.Contains(id, (await catalogue.ListAsync(10, Ct)).Select(c => c.Id));
        Assert.Equal(node.LastShipped!.Position, await catalogue.ShardPositionAsync("node-c", Ct));
    }

    [Fact]
    public async Task Audit_NamesAnObjectOverwrittenOrDeletedBehindTheNodesBack()
    {
        using var archive = archives.Init(Small);
        for (var seed = 1; seed <= 10; seed++)
        {
            archive.Commit(SampleConversations.Create(seed).Batch);
        }

        // Unlocked (allowed), so that the S3 API can delete an object at all; a locked one refuses (S3ObjectStoreTests).
        var bucket = TestStores.NewBucket();
        using var store = await TestStores.OpenAsync(bucket, locked: false);
        var shipper = new ShardShipper(store, "node-a");
        await shipper.ShipAsync(archive, Ct);
        Assert.Empty(await shipper.AuditAsync(archive, Ct));

        var objects = await ListAsync(store, "shards/node-a/");
        var segment = objects.First(o => o.Contains("/segments/", StringComparison.Ordinal));
        var blob = objects.First(o => o.Contains("/blobs/", StringComparison.Ordinal));
        var tail = objects.First(o => o.Contains("/tails/", StringComparison.Ordinal));
        using (var raw = RawS3.Client())
        {
            await raw.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = segment, ContentBody = "not the segment" }, Ct);
            await raw.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = tail, ContentBody = "not the tail" }, Ct);
            await raw.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = blob }, Ct);
        }

        var problems = await shipper.AuditAsync(archive, Ct);
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains(segment, StringComparison.Ordinal) && p.Contains("altered", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(tail, StringComparison.Ordinal) && p.Contains("altered", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(blob, StringComparison.Ordinal) && p.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANodeName_ShippedByAnotherArchive_IsRefused_BeforeAnythingIsPut()
    {
        var bucket = TestStores.NewBucket();
        using var store = await TestStores.OpenAsync(bucket);
        using (var first = archives.Init(Small))
        {
            first.Commit(SampleConversations.Create(1).Batch);
            await new ShardShipper(store, "node-a").ShipAsync(first, Ct);
        }

        var before = await ListAsync(store, "shards/node-a/");
        using var other = new TestArchives(FileSystemKind.Local);
        // Another seed: TestArchives' seeded randomness would give the second archive the first one's id.
        var seed = new Random(7);
        using var second = other.Init(o => Small(o) with { Random = b => seed.NextBytes(b) });
        second.Commit(SampleConversations.Create(2).Batch);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new ShardShipper(store, "node-a").ShipAsync(second, Ct));
        Assert.Contains("another name", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await ListAsync(store, "shards/node-a/"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Node")]
    [InlineData("a/b")]
    [InlineData("-a")]
    public void ANodeName_OutsideTheRule_IsRefused(string name)
        => Assert.Throws<ArgumentException>(() => NodeName.ThrowIfInvalid(name));

    /// <summary>Small segments (so some are sealed) and small external blobs (so blob files exist).</summary>
    private static ArchiveOptions Small(ArchiveOptions o) => o with { SegmentSize = 16 << 10, ExternalBlobThreshold = 64 };

    /// <summary>Every sealed segment, the active one (its tail pieces end to end) and every blob file, as the objects give them back.</summary>
    private static async Task AssertRestoresAsync(S3ObjectStore store, string node, Archive archive)
    {
        var prefix = $"shards/{node}/";
        var objects = await ListAsync(store, prefix);
        var numbers = archive.SegmentNumbers().Order().ToList();
        foreach (var n in numbers)
        {
            var name = ArchivePaths.SegmentName(n);
            var local = await File.ReadAllBytesAsync(archive.Paths.Segment(n), Ct);
            if (n < numbers[^1])
            {
                Assert.Equal(local, await store.GetAsync(prefix + "segments/" + name, Ct));
                continue;
            }

            var joined = new List<byte>();
            foreach (var tail in objects.Where(o => o.StartsWith(prefix + "tails/" + name + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                joined.AddRange((await store.GetAsync(tail, Ct))!);
            }

            Assert.Equal(local.AsSpan(0, joined.Count).ToArray(), joined.ToArray());
            Assert.True(joined.Count >= 64, "the active segment's durable bytes were shipped");
        }

        foreach (var blob in Directory.EnumerateFiles(archive.Paths.Blobs, "*.zst", SearchOption.AllDirectories))
        {
            var name = prefix + "blobs/" + Path.GetRelativePath(archive.Paths.Blobs, blob).Replace('\\', '/');
            Assert.Equal(await File.ReadAllBytesAsync(blob, Ct), await store.GetAsync(name, Ct));
        }
    }

    private static async Task<List<string>> ListAsync(S3ObjectStore store, string prefix)
    {
        var names = new List<string>();
        await foreach (var o in store.ListAsync(prefix, Ct))
        {
            names.Add(o.Name);
        }

        return names;
    }

    private static async Task WaitForALockWaitAsync(string catalog, string schema)
    {
        await using var c = new NpgsqlConnection(catalog);
        await c.OpenAsync(Ct);
        for (var i = 0; i < 400; i++)
        {
            await using var q = new NpgsqlCommand($"SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '\"{schema}\".shards'::regclass", c);
            if ((long)(await q.ExecuteScalarAsync(Ct))! > 0)
            {
                return;
            }

            await Task.Delay(25, Ct);
        }

        Assert.Fail("the background pass never reached the locked shards table within 10 s");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

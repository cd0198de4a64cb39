using System.Security.Cryptography;
using Amber.Cluster.Catalogue;
using Amber.Cluster.Objects;
using Amber.Cluster.Shipping;
using Amber.Storage;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Cluster.Tests;

/// <summary>
/// Shards given back from a real S3 server (Ceph RGW) without their signing keys: they open, read and verify with
/// <c>log/vkey</c> alone, and a catalogue rebuilt from them holds every shard's rows.
/// </summary>
public sealed class ShardRestoreTests : IDisposable
{
    private readonly TestArchives first = new(FileSystemKind.Local);
    private readonly TestArchives second = new(FileSystemKind.Local);
    private readonly TempDirectory restored = new("amber-restore");

    public void Dispose()
    {
        first.Dispose();
        second.Dispose();
        restored.Dispose();
    }

    [Fact]
    public async Task ARestoredShard_OpensWithoutItsSigningKey_ReadsAndVerifies_ButCommitsNothing()
    {
        using var archive = first.Init(Small);
        for (var seed = 1; seed <= 9; seed++)
        {
            archive.Commit(SampleConversations.Create(seed).Batch);
        }

        using var store = await TestStores.OpenAsync();
        await new ShardShipper(store, "node-a").ShipAsync(archive, Ct);
        Assert.Equal(["node-a"], await ShardRestorer.ListShardsAsync(store, Ct));

        var folder = restored.Combine("node-a");
        Assert.True(await ShardRestorer.RestoreAsync(store, "node-a", folder, Ct) > 0);
        Assert.False(File.Exists(Path.Combine(folder, "log", "signing.key")));
        Assert.False(File.Exists(Path.Combine(folder, "index.db")));

        using var copy = Archive.Open(new ArchiveOptions { Directory = folder });
        Assert.True(copy.IsReadOnly);
        Assert.Equal(archive.ArchiveId, copy.ArchiveId);
        Assert.Equal(
            archive.ListConversations(100).Select(c => c.Id).Order(StringComparer.Ordinal),
            copy.ListConversations(100).Select(c => c.Id).Order(StringComparer.Ordinal));
        var report = ArchiveVerifier.Verify(copy);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        var refused = Assert.Throws<InvalidOperationException>(() => copy.Commit(SampleConversations.Create(40).Batch));
        Assert.Contains("signing.key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RebuildingFromEveryShard_KeepsTheRowsOfEachShard()
    {
        var seed = new Random(11);
        using var a = first.Init(Small);
        using var b = second.Init(o => Small(o) with { Random = bytes => seed.NextBytes(bytes) });
        for (var s = 1; s <= 4; s++)
        {
            a.Commit(SampleConversations.Create(s).Batch);
            b.Commit(SampleConversations.Create(100 + s).Batch);
        }

        using var store = await TestStores.OpenAsync();
        var catalog = ClusterServices.Require().Catalog;
        await using var catalogue = PostgresCatalogue.Open(catalog, "t" + Guid.NewGuid().ToString("N")[..12]);
        await new ShardShipper(store, "node-a").ShipAsync(a, Ct);
        await new ShardShipper(store, "node-b").ShipAsync(b, Ct);
        await catalogue.ApplyAsync(a, "node-a", Ct);
        await catalogue.ApplyAsync(b, "node-b", Ct);
        var applied = (await catalogue.ListAsync(100, Ct)).Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(8, applied.Count);

        var shards = new List<(string, Archive)>();
        try
        {
            foreach (var name in await ShardRestorer.ListShardsAsync(store, Ct))
            {
                await ShardRestorer.RestoreAsync(store, name, restored.Combine(name), Ct);
                shards.Add((name, Archive.Open(new ArchiveOptions { Directory = restored.Combine(name) })));
            }

            var report = await catalogue.RebuildShardsAsync(shards, Ct);
            Assert.Equal(8, report.Conversations);
        }
        finally
        {
            foreach (var (_, archive) in shards)
            {
                archive.Dispose();
            }
        }

        Assert.Equal(applied, (await catalogue.ListAsync(100, Ct)).Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["node-a", "node-b"], (await catalogue.ShardsAsync(Ct)).Select(s => s.Shard));
        Assert.Equal(await catalogue.ShardPositionAsync("node-b", Ct), (await catalogue.ApplyAsync(b, "node-b", Ct)).Position);
    }

    [Fact]
    public async Task ARestore_WithATailPieceMissing_NamesIt_AndLeavesNoArchive()
    {
        using var archive = first.Init(Small);
        var bucket = TestStores.NewBucket();
        using var store = await TestStores.OpenAsync(bucket, locked: false);
        var shipper = new ShardShipper(store, "node-a");
        archive.Commit(SampleConversations.Create(1).Batch);
        await shipper.ShipAsync(archive, Ct);
        archive.Commit(SampleConversations.Create(2).Batch);
        await shipper.ShipAsync(archive, Ct);
        var tails = new List<string>();
        await foreach (var o in store.ListAsync("shards/node-a/tails/", Ct))
        {
            tails.Add(o.Name);
        }

        Assert.True(tails.Count >= 2, string.Join(", ", tails));
        var gone = tails.Order(StringComparer.Ordinal).First();
        using (var raw = RawS3.Client())
        {
            await raw.DeleteObjectAsync(new Amazon.S3.Model.DeleteObjectRequest { BucketName = bucket, Key = gone }, Ct);
        }

        var folder = restored.Combine("node-a");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ShardRestorer.RestoreAsync(store, "node-a", folder, Ct));
        Assert.Contains("a piece is missing", e.Message, StringComparison.Ordinal);
        Assert.False(Archive.Exists(folder));
    }

    private static ArchiveOptions Small(ArchiveOptions o) => o with { SegmentSize = 16 << 10, ExternalBlobThreshold = 64 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

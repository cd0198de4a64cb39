using System.Security.Cryptography;
using Amber.Cluster.Objects;
using Amber.Cluster.Shipping;
using Amber.Storage;
using Amber.Testing;

namespace Amber.Cli.Tests.Cluster;

/// <summary><c>amber repair --from s3://BUCKET</c>: a node's damaged segment and blob restored from its own shard in a real S3 server with Object Lock (Ceph RGW).</summary>
public sealed class RepairFromStoreTests
{
    [Fact]
    public async Task Repair_FromTheObjectStore_RestoresTheNodesDamagedSegmentAndBlob_AndVerifyPasses()
    {
        var services = ClusterServices.Require();
        var bucket = "t-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using var cli = new CliRunner();
        using (var archive = Archive.Open(cli.Options(createIfMissing: true) with { LogOrigin = NodeName.Origin("node-r"), ExternalBlobThreshold = 64 }))
        {
            for (var i = 0; i < 4; i++)
            {
                archive.Commit(SampleConversations.Create(40 + i).Batch);
            }

            // The node's last pass, before it closes: what the close appends is not in the store, so the shard's copy
            // of the active segment is shorter than the file, and repair splices it with the file's own later bytes.
            using var store = await OpenStoreAsync(services, bucket);
            await new ShardShipper(store, "node-r").ShipAsync(archive, Ct);
        }

        Assert.Equal(0, cli.Run("verify").Exit);
        var blob = Directory.EnumerateFiles(Path.Combine(cli.ArchiveDir, "blobs"), "*.zst", SearchOption.AllDirectories).First();
        var (segmentBefore, blobBefore) = (File.ReadAllBytes(cli.FirstSegment), File.ReadAllBytes(blob));
        cli.FlipFirstSegmentByte(segmentBefore.Length / 2, 0x10);
        File.WriteAllBytes(blob, new byte[blobBefore.Length]); // a zeroed page
        Assert.NotEqual(0, cli.Run("verify").Exit);

        var (exit, output, error) = cli.Run("repair", "--from", "s3://" + bucket);

        Assert.True(exit == 0, error);
        Assert.Contains("restored:", output, StringComparison.Ordinal);
        Assert.Equal(segmentBefore, File.ReadAllBytes(cli.FirstSegment));
        Assert.Equal(blobBefore, File.ReadAllBytes(blob));
        Assert.Equal(0, cli.Run("verify").Exit);
    }

    [Fact]
    public async Task Repair_FromTheObjectStore_OfAnArchiveThatIsNoNode_IsRefusedNamingItsLog()
    {
        var services = ClusterServices.Require();
        var bucket = "t-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using (await OpenStoreAsync(services, bucket))
        {
        }

        using var cli = new CliRunner();
        cli.Seed(1);
        var (exit, _, error) = cli.Run("repair", "--from", "s3://" + bucket);

        Assert.NotEqual(0, exit);
        Assert.Contains("log/vkey", error, StringComparison.Ordinal);
        Assert.Contains("not a cluster node's", error, StringComparison.Ordinal);
    }

    private static Task<S3ObjectStore> OpenStoreAsync(ClusterServices.Endpoints services, string bucket) =>
        S3ObjectStore.OpenAsync(new ObjectStoreOptions(ObjectStoreLocation.Parse("s3://" + bucket))
        {
            Endpoint = services.S3,
            Region = services.Region,
            LockMode = RetentionMode.Governance,
            Retention = TimeSpan.FromDays(1),
        }, TimeProvider.System, create: true, Ct);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

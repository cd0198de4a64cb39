using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amber.Cluster.Objects;
using Amber.Testing;

namespace Amber.Cluster.Tests;

/// <summary>Against a real S3 server with Object Lock (Ceph RGW from scripts/services): nothing here is mocked.</summary>
public sealed class S3ObjectStoreTests
{
    private static readonly TimeProvider Clock = TimeProvider.System;

    [Fact]
    public async Task Open_WithCreate_MakesALockedBucket_AndObjectsComeBackLocked()
    {
        var options = Options(NewBucket(), RetentionMode.Compliance, TimeSpan.FromDays(1));
        using var store = await S3ObjectStore.OpenAsync(options, Clock, create: true, Ct);
        Assert.Equal(RetentionMode.Compliance, store.BucketLock);

        var content = RandomNumberGenerator.GetBytes(70_000);
        var before = Clock.GetUtcNow();
        await store.PutAsync("segments/000001.seg", content, Ct);

        Assert.Equal(content, await store.GetAsync("segments/000001.seg", Ct));
        var retention = await store.RetentionAsync("segments/000001.seg", Ct);
        Assert.NotNull(retention);
        Assert.Equal(content.Length, retention.Size);
        Assert.Equal(RetentionMode.Compliance, retention.LockMode);
        Assert.InRange(retention.RetainUntil!.Value, before.AddDays(1).AddMinutes(-5), before.AddDays(1).AddMinutes(5));
    }

    [Fact]
    public async Task ALockedObject_CannotBeDeleted_AndAnOverwriteKeepsTheLockedVersion()
    {
        var options = Options(NewBucket(), RetentionMode.Governance, TimeSpan.FromDays(1));
        using var store = await S3ObjectStore.OpenAsync(options, Clock, create: true, Ct);
        await store.PutAsync("blobs/ab", "first"u8.ToArray(), Ct);

        using var raw = RawS3.Client();
        var versions = await raw.ListVersionsAsync(new ListVersionsRequest { BucketName = options.Location.Bucket, Prefix = "blobs/ab" }, Ct);
        var locked = Assert.Single(versions.Versions!);

        // The server itself refuses: this is Object Lock, not a check of ours.
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            raw.DeleteObjectAsync(new DeleteObjectRequest { BucketName = options.Location.Bucket, Key = "blobs/ab", VersionId = locked.VersionId }, Ct));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        await raw.PutObjectAsync(new PutObjectRequest { BucketName = options.Location.Bucket, Key = "blobs/ab", ContentBody = "second" }, Ct);
        var kept = await raw.GetObjectAsync(new GetObjectRequest { BucketName = options.Location.Bucket, Key = "blobs/ab", VersionId = locked.VersionId }, Ct);
        using var reader = new StreamReader(kept.ResponseStream);
        Assert.Equal("first", await reader.ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task Open_RefusesABucketWithoutObjectLock_UnlessAllowed()
    {
        var bucket = NewBucket();
        using (var raw = RawS3.Client())
        {
            await raw.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, Ct);
        }

        var refused = await Assert.ThrowsAsync<ObjectStoreException>(() => S3ObjectStore.OpenAsync(Options(bucket, RetentionMode.Compliance, TimeSpan.FromDays(1)), Clock, create: true, Ct));
        Assert.Contains("has no Object Lock", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-unlocked", refused.Message, StringComparison.Ordinal);
        Assert.Contains(bucket, refused.Message, StringComparison.Ordinal);

        using var store = await S3ObjectStore.OpenAsync(Options(bucket, RetentionMode.Compliance, TimeSpan.FromDays(1)) with { AllowUnlocked = true }, Clock, create: false, Ct);
        Assert.Equal(RetentionMode.None, store.BucketLock);
        await store.PutAsync("x", "unlocked"u8.ToArray(), Ct);
        var retention = await store.RetentionAsync("x", Ct);
        Assert.Equal(RetentionMode.None, retention!.LockMode);
    }

    [Fact]
    public async Task Open_WithoutCreate_NamesTheMissingBucket()
    {
        var bucket = NewBucket();
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => S3ObjectStore.OpenAsync(Options(bucket, RetentionMode.Compliance, TimeSpan.FromDays(1)), Clock, create: false, Ct));
        Assert.Contains($"s3://{bucket}", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_PagesThroughEveryObjectUnderThePrefix_AndGetOfAMissingObjectIsNull()
    {
        var options = Options(NewBucket() + "/archive-a", RetentionMode.Governance, TimeSpan.FromDays(1));
        using var store = await S3ObjectStore.OpenAsync(options, Clock, create: true, Ct);
        var names = Enumerable.Range(0, 1_005).Select(i => $"blobs/{i:D5}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (name, ct) => await store.PutAsync(name, "b"u8.ToArray(), ct));
        await store.PutAsync("segments/1", "s"u8.ToArray(), Ct);

        var listed = new List<StoredObject>();
        await foreach (var item in store.ListAsync("blobs/", Ct))
        {
            listed.Add(item);
        }

        Assert.Equal(names, listed.Select(o => o.Name));
        Assert.All(listed, o => Assert.Equal(1, o.Size));
        Assert.Null(await store.GetAsync("blobs/none", Ct));
        Assert.Null(await store.RetentionAsync("blobs/none", Ct));
    }

    [Fact]
    public async Task WrongCredentials_AreAClearError_NamingTheStore()
    {
        var services = ClusterServices.Require();
        var options = Options(NewBucket(), RetentionMode.Compliance, TimeSpan.FromDays(1));
        var wrong = options with { Credentials = new BasicAWSCredentials(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), "not-the-secret-0000000000000000000000000") };
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => S3ObjectStore.OpenAsync(wrong, Clock, create: true, Ct));
        Assert.Contains(services.S3.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", error.Message, StringComparison.Ordinal);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewBucket() => "t-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static ObjectStoreOptions Options(string bucketAndPrefix, RetentionMode mode, TimeSpan retention)
    {
        var services = ClusterServices.Require();
        return new ObjectStoreOptions(ObjectStoreLocation.Parse("s3://" + bucketAndPrefix))
        {
            Endpoint = services.S3,
            Region = services.Region,
            LockMode = mode,
            Retention = retention,
        };
    }
}

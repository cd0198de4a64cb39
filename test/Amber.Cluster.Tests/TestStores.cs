using System.Security.Cryptography;
using Amazon.S3;
using Amber.Cluster.Objects;
using Amber.Testing;

namespace Amber.Cluster.Tests;

/// <summary>A fresh bucket on the real RGW for each test, with or without Object Lock.</summary>
internal static class TestStores
{
    public static Task<S3ObjectStore> OpenAsync(string? bucket = null, bool locked = true)
    {
        var services = ClusterServices.Require();
        var options = new ObjectStoreOptions(ObjectStoreLocation.Parse("s3://" + (bucket ?? NewBucket())))
        {
            Endpoint = services.S3,
            Region = services.Region,
            LockMode = locked ? RetentionMode.Governance : RetentionMode.None,
            AllowUnlocked = !locked,
            Retention = TimeSpan.FromDays(1),
        };
        return S3ObjectStore.OpenAsync(options, TimeProvider.System, create: true, TestContext.Current.CancellationToken);
    }

    public static string NewBucket() => "t-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}

namespace Amber.Cluster.Objects;

/// <summary>
/// How to reach the object store and how to lock what the archive puts there. Credentials come from the AWS SDK's
/// usual sources (<c>AWS_ACCESS_KEY_ID</c> / <c>AWS_SECRET_ACCESS_KEY</c>, a profile, an instance role) unless a
/// host passes <see cref="Credentials"/>; they are never part of the archive's configuration or files.
/// </summary>
public sealed record ObjectStoreOptions(ObjectStoreLocation Location)
{
    /// <summary>The store's URL (<c>AWS_ENDPOINT_URL</c>); null for AWS S3 itself.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Credentials to sign with instead of the SDK's own sources (for hosts that hold them otherwise).</summary>
    public Amazon.Runtime.AWSCredentials? Credentials { get; init; }

    /// <summary>The region requests are signed for (<c>AWS_REGION</c>).</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The lock every object is put under, and the bucket's default when the archive creates it.</summary>
    public RetentionMode LockMode { get; init; } = RetentionMode.Compliance;

    /// <summary>How long each object stays locked from the moment it is put.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(365 * 10);

    /// <summary>Accept a bucket without Object Lock (<c>--allow-unlocked</c>): objects can then be deleted by anyone allowed to.</summary>
    public bool AllowUnlocked { get; init; }
}

using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using S3LockMode = Amazon.S3.ObjectLockMode;
using S3RetentionMode = Amazon.S3.ObjectLockRetentionMode;

namespace Amber.Cluster.Objects;

/// <summary>
/// The archive's objects in an S3-compatible store, each put once under Object Lock (the mode and retention of
/// <see cref="ObjectStoreOptions"/>), so that neither a bug nor an operator can delete or overwrite a sealed segment
/// or blob before its retention ends. Opening refuses a bucket without Object Lock unless
/// <see cref="ObjectStoreOptions.AllowUnlocked"/> says otherwise.
/// </summary>
/// <remarks>
/// Every put carries <c>Content-MD5</c> and the client computes checksums only where the API requires them
/// (<c>WHEN_REQUIRED</c>): the AWS SDK's default trailing checksums (aws-chunked bodies) are refused by many
/// S3-compatible servers (Ceph RGW 16 answers <c>XAmzContentSHA256Mismatch</c>), and AWS itself requires a
/// checksum header on a put that sets a lock, which Content-MD5 is. Names are content-addressed by the callers,
/// so a repeated put stores the same bytes (a new version under the bucket's versioning, the locked one kept).
/// </remarks>
public sealed class S3ObjectStore : IDisposable
{
    private readonly AmazonS3Client client;
    private readonly ObjectStoreOptions options;
    private readonly TimeProvider time;

    private S3ObjectStore(AmazonS3Client client, ObjectStoreOptions options, TimeProvider time, RetentionMode bucketLock)
    {
        this.client = client;
        this.options = options;
        this.time = time;
        BucketLock = bucketLock;
    }

    public ObjectStoreLocation Location => options.Location;

    /// <summary>The lock objects are put under: the options' mode, or <see cref="RetentionMode.None"/> on an unlocked bucket that was allowed.</summary>
    public RetentionMode BucketLock { get; }

    /// <summary>
    /// Connects to the store and checks the bucket: it must exist (or, with <paramref name="create"/>, is created
    /// with Object Lock on and the options' mode and retention as its default) and must have Object Lock, unless
    /// the options allow an unlocked bucket.
    /// </summary>
    public static async Task<S3ObjectStore> OpenAsync(ObjectStoreOptions options, TimeProvider time, bool create, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.LockMode == RetentionMode.None && !options.AllowUnlocked)
        {
            throw new ArgumentException("an object store without a lock mode must be allowed unlocked", nameof(options));
        }

        var config = new AmazonS3Config
        {
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 3,
        };
        if (options.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.ForcePathStyle = true;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        var client = options.Credentials is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
        try
        {
            var state = await BucketStateAsync(client, options, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                if (!create)
                {
                    throw new ObjectStoreException($"the bucket of {options.Location} does not exist; `amber init` creates it with Object Lock");
                }

                await CreateBucketAsync(client, options, cancellationToken).ConfigureAwait(false);
                state = options.AllowUnlocked && options.LockMode == RetentionMode.None ? RetentionMode.None : options.LockMode;
            }

            if (state == RetentionMode.None && !options.AllowUnlocked)
            {
                throw new ObjectStoreException(
                    $"the bucket of {options.Location} has no Object Lock, so its objects could be deleted or overwritten; " +
                    "use a bucket created with Object Lock (`amber init` creates one), or pass --allow-unlocked to accept it");
            }

            var bucketLock = state == RetentionMode.None ? RetentionMode.None : options.LockMode;
            return new S3ObjectStore(client, options, time, bucketLock);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Puts <paramref name="content"/> as the object <paramref name="name"/>, locked until now + the retention.</summary>
    public async Task PutAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var key = options.Location.KeyOf(name);
        using var body = new MemoryStream(content.ToArray(), writable: false);
        var request = new PutObjectRequest
        {
            BucketName = options.Location.Bucket,
            Key = key,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = "application/octet-stream",
            MD5Digest = ContentMd5(content.Span),
        };
        if (BucketLock != RetentionMode.None)
        {
            request.ObjectLockMode = BucketLock == RetentionMode.Compliance ? S3LockMode.Compliance : S3LockMode.Governance;
            request.ObjectLockRetainUntilDate = (time.GetUtcNow() + options.Retention).UtcDateTime;
        }

        await Call("put", name, () => client.PutObjectAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The bytes of the object <paramref name="name"/> (its newest version), or null when there is none.</summary>
    public async Task<byte[]?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            using var response = await Call("get", name, () => client.GetObjectAsync(options.Location.Bucket, options.Location.KeyOf(name), cancellationToken)).ConfigureAwait(false);
            using var buffer = new MemoryStream(response.ContentLength is > 0 and < int.MaxValue ? (int)response.ContentLength : 0);
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (ObjectStoreException e) when (e.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.NotFound })
        {
            return null;
        }
    }

    /// <summary>The size and lock of the object <paramref name="name"/>, or null when there is none.</summary>
    public async Task<ObjectRetention?> RetentionAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            var head = await Call("read the lock of", name, () => client.GetObjectMetadataAsync(options.Location.Bucket, options.Location.KeyOf(name), cancellationToken)).ConfigureAwait(false);
            var mode = head.ObjectLockMode == S3LockMode.Compliance ? RetentionMode.Compliance
                : head.ObjectLockMode == S3LockMode.Governance ? RetentionMode.Governance
                : RetentionMode.None;
            DateTimeOffset? until = head.ObjectLockRetainUntilDate is { } date ? new DateTimeOffset(DateTime.SpecifyKind(date.ToUniversalTime(), DateTimeKind.Utc)) : null;
            return new ObjectRetention(name, head.ContentLength, mode, until);
        }
        catch (ObjectStoreException e) when (e.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.NotFound })
        {
            return null;
        }
    }

    /// <summary>Every object whose name starts with <paramref name="namePrefix"/>, in key order.</summary>
    public async IAsyncEnumerable<StoredObject> ListAsync(string namePrefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(namePrefix);
        var request = new ListObjectsV2Request { BucketName = options.Location.Bucket, Prefix = options.Location.KeyOf(namePrefix) };
        while (true)
        {
            var page = await Call("list", namePrefix + "*", () => client.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                yield return new StoredObject(item.Key[options.Location.Prefix.Length..], item.Size ?? 0);
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public void Dispose() => client.Dispose();

    private static async Task<RetentionMode?> BucketStateAsync(AmazonS3Client client, ObjectStoreOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetObjectLockConfigurationAsync(
                new GetObjectLockConfigurationRequest { BucketName = options.Location.Bucket }, cancellationToken).ConfigureAwait(false);
            var configuration = response.ObjectLockConfiguration;
            if (configuration?.ObjectLockEnabled != ObjectLockEnabled.Enabled)
            {
                return RetentionMode.None;
            }

            return configuration.Rule?.DefaultRetention?.Mode == S3RetentionMode.Compliance ? RetentionMode.Compliance : RetentionMode.Governance;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "ObjectLockConfigurationNotFoundError" or "ObjectLockConfigurationNotFound")
        {
            return RetentionMode.None;
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException)
        {
            throw Failure(options, "open the bucket of", "", e);
        }
    }

    private static async Task CreateBucketAsync(AmazonS3Client client, ObjectStoreOptions options, CancellationToken cancellationToken)
    {
        var locked = options.LockMode != RetentionMode.None;
        try
        {
            await client.PutBucketAsync(new PutBucketRequest { BucketName = options.Location.Bucket, ObjectLockEnabledForBucket = locked }, cancellationToken).ConfigureAwait(false);
            if (locked)
            {
                var days = (int)Math.Clamp(Math.Ceiling(options.Retention.TotalDays), 1, 36_500);
                await client.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
                {
                    BucketName = options.Location.Bucket,
                    ObjectLockConfiguration = new ObjectLockConfiguration
                    {
                        ObjectLockEnabled = ObjectLockEnabled.Enabled,
                        Rule = new ObjectLockRule
                        {
                            DefaultRetention = new DefaultRetention
                            {
                                Mode = options.LockMode == RetentionMode.Compliance ? S3RetentionMode.Compliance : S3RetentionMode.Governance,
                                Days = days,
                            },
                        },
                    },
                }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException)
        {
            throw Failure(options, "create the bucket of", "", e);
        }
    }

    private async Task<T> Call<T>(string operation, string name, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException and not ObjectStoreException)
        {
            throw Failure(options, operation, name, e);
        }
    }

    private static ObjectStoreException Failure(ObjectStoreOptions options, string operation, string name, Exception e)
    {
        var what = name.Length == 0 ? options.Location.ToString() : $"'{name}' in {options.Location}";
        var where = options.Endpoint is { } endpoint ? $" at {endpoint}" : "";
        return e switch
        {
            AmazonS3Exception s3 => new ObjectStoreException($"the object store{where} refused to {operation} {what}: {s3.ErrorCode} ({(int)s3.StatusCode}) {s3.Message}", e),
            _ => new ObjectStoreException($"could not {operation} {what}: the object store{where} did not answer ({e.GetBaseException().Message})", e),
        };
    }

    // Content-MD5 is the transport checksum every S3-compatible server checks; it guards the bytes in transit,
    // not a secret. The archive's own integrity rests on SHA-256 (node ids, segment footers, the log).
#pragma warning disable CA5351
    private static string ContentMd5(ReadOnlySpan<byte> content) => Convert.ToBase64String(MD5.HashData(content));
#pragma warning restore CA5351
}

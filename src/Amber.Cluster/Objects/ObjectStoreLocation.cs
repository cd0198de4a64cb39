namespace Amber.Cluster.Objects;

/// <summary>
/// Where a cluster archive keeps its objects: <c>s3://BUCKET</c> or <c>s3://BUCKET/PREFIX</c> (the form of
/// <c>AMBER_STORE</c> and <c>--store</c>). Every object name the archive writes is put under the prefix, so one
/// bucket can hold several archives.
/// </summary>
public sealed record ObjectStoreLocation
{
    private ObjectStoreLocation(string bucket, string prefix)
    {
        Bucket = bucket;
        Prefix = prefix;
    }

    public string Bucket { get; }

    /// <summary>Empty, or a key prefix ending in '/'.</summary>
    public string Prefix { get; }

    public static ObjectStoreLocation Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        const string Scheme = "s3://";
        if (!url.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw new FormatException($"the object store '{url}' is not an s3:// URL (expected s3://BUCKET or s3://BUCKET/PREFIX)");
        }

        var rest = url[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (BucketProblem(bucket) is { } problem)
        {
            throw new FormatException($"the object store '{url}' names the bucket '{bucket}', which {problem}");
        }

        if (prefix.Contains("//", StringComparison.Ordinal) || prefix.Split('/').Any(p => p is "." or ".."))
        {
            throw new FormatException($"the object store '{url}' has a prefix with an empty, '.' or '..' part");
        }

        return new ObjectStoreLocation(bucket, prefix.Length == 0 ? "" : prefix + "/");
    }

    /// <summary>The object key of <paramref name="name"/> (a name relative to the archive).</summary>
    public string KeyOf(string name) => Prefix + name;

    public override string ToString() => "s3://" + Bucket + (Prefix.Length == 0 ? "" : "/" + Prefix.TrimEnd('/'));

    // S3's bucket naming rules, which every S3-compatible store follows: 3–63 characters, lower-case letters,
    // digits, '.' and '-', starting and ending with a letter or digit.
    private static string? BucketProblem(string bucket)
    {
        if (bucket.Length is < 3 or > 63)
        {
            return $"is {bucket.Length} characters long (a bucket name has 3 to 63)";
        }

        if (!bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-'))
        {
            return "may hold only lower-case letters, digits, '.' and '-'";
        }

        return char.IsAsciiLetterOrDigit(bucket[0]) && char.IsAsciiLetterOrDigit(bucket[^1])
            ? null
            : "must start and end with a letter or a digit";
    }
}

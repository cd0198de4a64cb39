using Amber.Cluster.Objects;

namespace Amber.Cluster.Tests;

public sealed class ObjectStoreLocationTests
{
    [Theory]
    [InlineData("s3://amber-archive", "amber-archive", "")]
    [InlineData("s3://amber-archive/", "amber-archive", "")]
    [InlineData("s3://amber.archive-2/lab/prod", "amber.archive-2", "lab/prod/")]
    [InlineData("s3://abc/x/", "abc", "x/")]
    public void Parse_TakesTheBucketAndPrefix(string url, string bucket, string prefix)
    {
        var location = ObjectStoreLocation.Parse(url);
        Assert.Equal(bucket, location.Bucket);
        Assert.Equal(prefix, location.Prefix);
        Assert.Equal(prefix + "segments/1", location.KeyOf("segments/1"));
    }

    [Theory]
    [InlineData("amber-archive", "not an s3:// URL")]
    [InlineData("https://amber-archive", "not an s3:// URL")]
    [InlineData("s3://ab", "3 to 63")]
    [InlineData("s3://Amber", "lower-case")]
    [InlineData("s3://-amber", "start and end")]
    [InlineData("s3://amber/a//b", "empty, '.' or '..'")]
    [InlineData("s3://amber/a/../b", "empty, '.' or '..'")]
    public void Parse_RefusesWhatIsNotABucketUrl_SayingWhy(string url, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ObjectStoreLocation.Parse(url));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }
}

using Amazon.Runtime;
using Amazon.S3;
using Amber.Testing;

namespace Amber.Cluster.Tests;

/// <summary>An S3 client of the test's own, beside the archive's: what a user (or an attacker) can do to the bucket directly.</summary>
internal static class RawS3
{
    public static AmazonS3Client Client()
    {
        var services = ClusterServices.Require();
        return new AmazonS3Client(
            new BasicAWSCredentials(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")),
            new AmazonS3Config
            {
                ServiceURL = services.S3.ToString(),
                ForcePathStyle = true,
                AuthenticationRegion = services.Region,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
    }
}

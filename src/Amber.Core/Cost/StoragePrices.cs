namespace Amber.Core.Cost;

/// <summary>
/// What keeping the archive costs: USD per GB-month (1 GB = 2^30 bytes, as S3 bills), how many copies are kept, and
/// for how many years. The defaults are S3 Standard's first-50-TB price in us-east-1, three copies, ten years.
/// </summary>
public sealed record StoragePrices
{
    public const decimal DefaultUsdPerGbMonth = 0.023m;

    public const int DefaultReplicas = 3;

    public const int DefaultHorizonYears = 10;

    public const string DefaultSource = "https://aws.amazon.com/s3/pricing/ (S3 Standard, first 50 TB/month, us-east-1, as of 2025-08-15; Glacier Deep Archive is 0.00099)";

    public decimal UsdPerGbMonth { get; init; } = DefaultUsdPerGbMonth;

    public int Replicas { get; init; } = DefaultReplicas;

    public decimal HorizonYears { get; init; } = DefaultHorizonYears;

    public string Source { get; init; } = DefaultSource;

    /// <summary>The cost of keeping <paramref name="bytes"/> for the horizon on every replica.</summary>
    public decimal Cost(decimal bytes) => bytes / (1024m * 1024m * 1024m) * UsdPerGbMonth * Replicas * HorizonYears * 12m;

    /// <summary>Throws naming the setting when a value cannot be a price, a copy count or a horizon.</summary>
    public StoragePrices Validated()
    {
        if (UsdPerGbMonth < 0)
        {
            throw new ArgumentException($"the storage price must not be negative (got {UsdPerGbMonth} USD per GB-month).");
        }

        if (Replicas < 1)
        {
            throw new ArgumentException($"replicas must be at least 1 (got {Replicas}).");
        }

        if (HorizonYears <= 0)
        {
            throw new ArgumentException($"the horizon must be more than 0 years (got {HorizonYears}).");
        }

        return this;
    }
}

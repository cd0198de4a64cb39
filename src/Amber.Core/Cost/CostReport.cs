namespace Amber.Core.Cost;

/// <summary>
/// What the archive's conversations cost to make (inference, at list prices) and to keep (storage, over a horizon with
/// replicas), and the second as a percentage of the first, against the <see cref="BudgetPercent"/> budget.
/// </summary>
/// <param name="ArchiveBytes">Everything the archive keeps on disk: segments, blob files and the index.</param>
/// <param name="InferenceUsd">The priced rows' inference spend (unpriced rows are counted apart).</param>
/// <param name="PercentOfInference">Storage as a percentage of inference; null when nothing priced was spent.</param>
public sealed record CostReport(
    IReadOnlyList<CostLine> Lines,
    long ArchiveBytes,
    decimal InferenceUsd,
    decimal StorageUsd,
    decimal? PercentOfInference,
    PriceTable Prices,
    StoragePrices Storage)
{
    /// <summary>The product's promise: keeping an instance costs at most 0.1 % of what making it cost.</summary>
    public const decimal BudgetPercent = 0.1m;

    public bool? WithinBudget => PercentOfInference is { } p ? p <= BudgetPercent : null;

    public IEnumerable<CostLine> Unpriced => Lines.Where(l => l.Unpriced);

    /// <summary>Inference and storage per month, in month order.</summary>
    public IReadOnlyList<CostMonth> ByMonth()
        => Lines.GroupBy(l => l.Usage.Month, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CostMonth(g.Key, g.Sum(l => l.InferenceUsd ?? 0), g.Sum(l => l.StorageUsd)))
            .ToList();
}

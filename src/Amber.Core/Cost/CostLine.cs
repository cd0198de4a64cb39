namespace Amber.Core.Cost;

/// <summary>One row of a cost report: the usage, its share of the archive's bytes, and what both cost.</summary>
/// <param name="StoredBytes">The archive bytes apportioned to the row (by its node bytes; see <see cref="CostCalculator"/>).</param>
/// <param name="Price">The price that applied, or null when the model is unpriced (or the row has no model).</param>
/// <param name="InferenceUsd">The tokens at <paramref name="Price"/>; null when unpriced.</param>
/// <param name="StorageUsd">Keeping <paramref name="StoredBytes"/> over the horizon on every replica.</param>
public sealed record CostLine(UsageRow Usage, decimal StoredBytes, ModelPrice? Price, decimal? InferenceUsd, decimal StorageUsd)
{
    /// <summary>True when the row's model generated tokens no price matches: counted apart, never as zero.</summary>
    public bool Unpriced => Price is null && Usage.Model != UsageRow.NoModel && (Usage.TokensIn > 0 || Usage.TokensOut > 0);
}

namespace Amber.Core.Cost;

/// <summary>
/// Prices an archive's usage: a pure function of the usage rows, the archive's size, a price table and storage prices.
/// The archive's bytes (segments, blob files, index: raw exchanges and dictionaries included) are apportioned to the rows
/// in proportion to their node record bytes, so the rows' storage adds up to the whole archive's.
/// </summary>
public static class CostCalculator
{
    /// <param name="include">Which rows to report (a tenant, a month); the apportionment is over every row first.</param>
    public static CostReport Compute(IReadOnlyList<UsageRow> rows, long archiveBytes, PriceTable prices, StoragePrices storage, Func<UsageRow, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(storage);
        var weight = rows.Sum(r => r.NodeBytes);
        var lines = new List<CostLine>();
        foreach (var row in rows)
        {
            if (include is not null && !include(row))
            {
                continue;
            }

            var bytes = weight == 0 ? 0 : archiveBytes * (decimal)row.NodeBytes / weight;
            var price = row.Model == UsageRow.NoModel ? null : prices.Find(row.Model);
            decimal? inference = price is null ? null : ((row.TokensIn * price.InputUsdPerMillion) + (row.TokensOut * price.OutputUsdPerMillion)) / 1_000_000m;
            lines.Add(new CostLine(row, bytes, price, inference, storage.Cost(bytes)));
        }

        var inferenceUsd = lines.Sum(l => l.InferenceUsd ?? 0);
        var storageUsd = lines.Sum(l => l.StorageUsd);
        var reported = include is null ? archiveBytes : (long)Math.Round(lines.Sum(l => l.StoredBytes));
        return new CostReport(lines, reported, inferenceUsd, storageUsd, inferenceUsd == 0 ? null : storageUsd / inferenceUsd * 100m, prices, storage);
    }
}

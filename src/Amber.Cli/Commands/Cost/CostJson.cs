using System.Text.Json.Nodes;
using Amber.Core.Cost;

namespace Amber.Cli.Commands.Cost;

/// <summary><c>amber cost --json</c>: the totals at the top level, then the parameters used, then one object per row.</summary>
internal static class CostJson
{
    /// <summary>Dollars to 10 decimal places (a small archive's storage is a few millionths of a cent).</summary>
    public static decimal Usd(decimal usd) => Math.Round(usd, 10);

    public static JsonObject Report(CostReport report, string? pricesFile, string? tenant, string? month)
    {
        var unpriced = report.Unpriced.ToList();
        var rows = new JsonArray();
        foreach (var l in report.Lines)
        {
            var u = l.Usage;
            rows.Add(new JsonObject
            {
                ["tenant"] = u.Tenant,
                ["model"] = u.Model,
                ["month"] = u.Month,
                ["turns"] = u.Turns,
                ["turns_without_usage"] = u.TurnsWithoutUsage,
                ["tokens_in"] = u.TokensIn,
                ["tokens_out"] = u.TokensOut,
                ["inference_usd"] = l.InferenceUsd is { } i ? Usd(i) : null,
                ["unpriced"] = l.Unpriced,
                ["price"] = l.Price is { } p ? Price(p) : null,
                ["stored_bytes"] = (long)Math.Round(l.StoredBytes),
                ["storage_usd"] = Usd(l.StorageUsd),
            });
        }

        return new JsonObject
        {
            ["inference_usd"] = Usd(report.InferenceUsd),
            ["storage_usd"] = Usd(report.StorageUsd),
            ["percent_of_inference"] = report.PercentOfInference is { } pct ? Math.Round(pct, 6) : null,
            ["budget_percent"] = CostReport.BudgetPercent,
            ["within_budget"] = report.WithinBudget,
            ["archive_bytes"] = report.ArchiveBytes,
            ["tokens_in"] = report.Lines.Sum(l => l.Usage.TokensIn),
            ["tokens_out"] = report.Lines.Sum(l => l.Usage.TokensOut),
            ["turns_without_usage"] = report.Lines.Sum(l => l.Usage.TurnsWithoutUsage),
            ["unpriced"] = new JsonObject
            {
                ["turns"] = unpriced.Sum(l => l.Usage.Turns),
                ["tokens_in"] = unpriced.Sum(l => l.Usage.TokensIn),
                ["tokens_out"] = unpriced.Sum(l => l.Usage.TokensOut),
                ["models"] = new JsonArray([.. unpriced.Select(l => l.Usage.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(m => (JsonNode?)m)]),
            },
            ["parameters"] = new JsonObject
            {
                ["prices_as_of"] = report.Prices.AsOf,
                ["prices_file"] = pricesFile,
                ["storage_usd_per_gb_month"] = report.Storage.UsdPerGbMonth,
                ["storage_source"] = report.Storage.Source,
                ["replicas"] = report.Storage.Replicas,
                ["horizon_years"] = report.Storage.HorizonYears,
                ["bytes_per_gb"] = 1L << 30,
                ["bytes_apportioned_by"] = "node record bytes",
                ["tenant"] = tenant,
                ["month"] = month,
            },
            ["rows"] = rows,
        };
    }

    private static JsonObject Price(ModelPrice p) => new()
    {
        ["model"] = p.Model,
        ["input_usd_per_million"] = p.InputUsdPerMillion,
        ["output_usd_per_million"] = p.OutputUsdPerMillion,
        ["source"] = p.Source,
    };
}

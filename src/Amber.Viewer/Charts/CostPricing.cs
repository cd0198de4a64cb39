using Amber.Core.Cost;

namespace Amber.Viewer.Charts;

/// <summary>The prices the dashboard's cost panel uses: <c>amber serve</c> passes the Cost:* settings, else the defaults.</summary>
public sealed record CostPricing(PriceTable Prices, StoragePrices Storage)
{
    public static CostPricing Default { get; } = new(PriceTable.Default, new StoragePrices());
}

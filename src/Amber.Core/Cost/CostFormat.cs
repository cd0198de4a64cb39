using System.Globalization;

namespace Amber.Core.Cost;

/// <summary>How a cost report reads to people, the same in <c>amber cost</c> and on the dashboard.</summary>
public static class CostFormat
{
    /// <summary>"storage is 0.00412 % of inference spend; budget 0.1 % (within)", or why there is no ratio.</summary>
    public static string BudgetSentence(CostReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var budget = CostReport.BudgetPercent.ToString(CultureInfo.InvariantCulture);
        return report.PercentOfInference is { } p
            ? $"storage is {Percent(p)} % of inference spend; budget {budget} % ({(report.WithinBudget == true ? "within" : "over")})"
            : $"no priced inference spend to compare storage with; budget {budget} %";
    }

    /// <summary>Three significant digits (0.00412, 1.27, 250).</summary>
    public static string Percent(decimal percent) => percent == 0 ? "0" : ((double)percent).ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>Cents for a dollar and more; three significant digits below a cent (a small archive's storage is tiny).</summary>
    public static string Usd(decimal usd) => usd switch
    {
        0 => "0",
        < 0.01m => ((double)usd).ToString("G3", CultureInfo.InvariantCulture),
        _ => usd.ToString("N2", CultureInfo.InvariantCulture),
    };
}

using System.Globalization;
using Amber.Core.Cost;
using Amber.Viewer.Charts;
using Amber.Viewer.Html;

namespace Amber.Viewer.Pages;

/// <summary>The dashboard's cost panel: what `amber cost` reports for the whole archive, with its chart per month.</summary>
internal static class CostPanel
{
    public static void Write(HtmlWriter w, CostReport report)
    {
        w.Element("h2", "Cost");
        using (w.Tag("section", ("id", "cost")))
        {
            w.Element("p", CostFormat.BudgetSentence(report), ("id", "cost-budget"));
            using (w.Tag("dl", ("class", "facts")))
            {
                Fact(w, "inference spend", "$" + CostFormat.Usd(report.InferenceUsd), "cost-inference");
                Fact(w, "storage cost", $"${CostFormat.Usd(report.StorageUsd)} ({N(report.ArchiveBytes)} bytes x {report.Storage.Replicas} replicas x {Number(report.Storage.HorizonYears)} years at ${Number(report.Storage.UsdPerGbMonth)} per GB-month)", "cost-storage");
                Fact(w, "tokens in / out", $"{N(report.Lines.Sum(l => l.Usage.TokensIn))} / {N(report.Lines.Sum(l => l.Usage.TokensOut))}", "cost-tokens");
                var unpriced = report.Unpriced.Select(l => l.Usage.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                Fact(w, "unpriced models", unpriced.Count == 0 ? "none" : string.Join(", ", unpriced), "cost-unpriced");
                Fact(w, "prices as of", report.Prices.AsOf, "cost-as-of");
            }

            using (w.Tag("div", ("class", "charts")))
            {
                w.Void("img", ("src", "/charts/" + DashboardCharts.CostChart + ".svg"), ("alt", "inference and storage cost per month chart"),
                    ("width", DashboardCharts.Width.ToString(CultureInfo.InvariantCulture)), ("height", DashboardCharts.Height.ToString(CultureInfo.InvariantCulture)));
            }
        }
    }

    private static void Fact(HtmlWriter w, string name, string value, string id)
    {
        w.Element("dt", name);
        w.Element("dd", value, ("id", id));
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

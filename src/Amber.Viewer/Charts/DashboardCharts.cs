using System.Globalization;
using Amber.Core.Cost;
using Amber.Storage.Reading;
using ScottPlot;

namespace Amber.Viewer.Charts;

/// <summary>
/// The dashboard's charts, drawn server-side by ScottPlot as SVG. Pages embed them with &lt;img&gt;, so even a
/// label taken from archive content (a model or source name) cannot run as script.
/// </summary>
public static class DashboardCharts
{
    public const int Width = 640;
    public const int Height = 320;

    /// <summary>The chart names served under /charts/NAME.svg.</summary>
    public static IReadOnlyList<string> Names { get; } = ["activity", "bytes", "tiers", "models"];

    /// <summary>The cost panel's chart, served as /charts/cost.svg beside <see cref="Names"/>.</summary>
    public const string CostChart = "cost";

    public static string? Render(string name, ArchiveDashboard dashboard, ArchiveStats stats) => name switch
    {
        "activity" => Activity(dashboard),
        "bytes" => Bytes(dashboard),
        "tiers" => Tiers(stats),
        "models" => Models(stats),
        _ => null,
    };

    /// <summary>Conversations and instances per month (by the month each conversation was created).</summary>
    public static string Activity(ArchiveDashboard d)
    {
        var plot = new Plot();
        var months = Contiguous(d.ConversationsByMonth.Select(m => m.Month));
        MonthlyLines(plot, months, ("conversations", PerMonth(months, d.ConversationsByMonth)), ("instances", PerMonth(months, d.InstancesByMonth)));

        plot.Title("Conversations and instances per month");
        plot.Axes.Left.Min = 0;
        return Svg(plot);
    }

    /// <summary>Cumulative bytes: raw source objects against the commit frames that store them.</summary>
    public static string Bytes(ArchiveDashboard d)
    {
        var plot = new Plot();
        var months = Contiguous(d.StoredBytesByMonth.Select(m => m.Month).Concat(d.RawBytesByMonth.Select(m => m.Month)));
        MonthlyLines(plot, months, ("raw bytes (sources)", Cumulative(months, d.RawBytesByMonth)), ("stored bytes (commit frames)", Cumulative(months, d.StoredBytesByMonth)));

        plot.Title("Raw and stored MiB, cumulative");
        return Svg(plot);
    }

    public static string Tiers(ArchiveStats stats)
    {
        var plot = new Plot();
        string[] tiers = ["T1", "T2", "T3", "T4"];
        var bars = plot.Add.Bars(tiers.Select(t => (double)stats.InstancesByTier.GetValueOrDefault(t)).ToArray());
        bars.LegendText = "instances";
        plot.Axes.Bottom.SetTicks([0, 1, 2, 3], tiers);
        plot.Axes.Left.Min = 0;
        plot.Title("Instances by tier");
        return Svg(plot);
    }

    public static string Models(ArchiveStats stats)
    {
        var plot = new Plot();
        var top = stats.TurnsByModel.Take(10).ToArray();
        if (top.Length > 0)
        {
            plot.Add.Bars(top.Select(t => (double)t.Value).ToArray());
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, top.Length).Select(i => (double)i).ToArray(), top.Select(t => Shorten(t.Key)).ToArray());
            plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        }

        plot.Axes.Left.Min = 0;
        plot.Title("Generated turns by model (top 10)");
        return Svg(plot);
    }

    /// <summary>
    /// Inference spend against storage cost per month, in USD on a log scale: storage within budget is a thousandth
    /// of inference and would lie flat on zero on a linear axis. Months with nothing to show leave a gap.
    /// </summary>
    public static string Cost(IReadOnlyList<CostMonth> byMonth)
    {
        ArgumentNullException.ThrowIfNull(byMonth);
        var plot = new Plot();
        var months = Contiguous(byMonth.Select(m => m.Month));
        var index = months.Select((m, i) => (m, i)).ToDictionary(p => p.m, p => (double)p.i, StringComparer.Ordinal);
        var values = new List<double>();
        foreach (var (label, pick) in new (string, Func<CostMonth, decimal>)[] { ("inference (list prices)", m => m.InferenceUsd), ("storage (over the horizon)", m => m.StorageUsd) })
        {
            var points = byMonth.Where(m => pick(m) > 0).Select(m => (X: index[m.Month], Y: Math.Log10((double)pick(m)))).ToArray();
            if (points.Length > 0)
            {
                var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
                scatter.LegendText = label;
                values.AddRange(points.Select(p => p.Y));
            }
        }

        if (values.Count > 0)
        {
            MonthTicks(plot, months);
            var decades = Enumerable.Range((int)Math.Floor(values.Min()), (int)Math.Ceiling(values.Max()) - (int)Math.Floor(values.Min()) + 1).ToArray();
            plot.Axes.Left.SetTicks(decades.Select(d => (double)d).ToArray(), decades.Select(d => "$" + Math.Pow(10, d).ToString("G", CultureInfo.InvariantCulture)).ToArray());
            plot.ShowLegend(Alignment.UpperLeft);
        }

        plot.Title("Inference and storage USD per month (log scale)");
        return Svg(plot);
    }

    /// <summary>
    /// Every month from the first to the last given (so gaps show as zeros), at most 50 years; months that are
    /// not "YYYY-MM" (a source's odd timestamp) are kept in text order after them.
    /// </summary>
    public static string[] Contiguous(IEnumerable<string> months)
    {
        var all = months.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var parsed = all.Select(m => DateTime.TryParseExact(m, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : (DateTime?)null).ToList();
        var valid = parsed.OfType<DateTime>().ToList();
        if (valid.Count == 0)
        {
            return all.ToArray();
        }

        var result = new List<string>();
        for (var t = valid.Min(); t <= valid.Max() && result.Count < 600; t = t.AddMonths(1))
        {
            result.Add(t.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        }

        result.AddRange(all.Where((m, i) => parsed[i] is null));
        return result.ToArray();
    }

    private static double[] PerMonth(string[] months, IReadOnlyList<MonthCount> series)
    {
        var byMonth = series.ToDictionary(m => m.Month, m => m.Value, StringComparer.Ordinal);
        return months.Select(m => (double)byMonth.GetValueOrDefault(m)).ToArray();
    }

    private static double[] Cumulative(string[] months, IReadOnlyList<MonthCount> series)
    {
        var byMonth = series.ToDictionary(m => m.Month, m => m.Value, StringComparer.Ordinal);
        var result = new double[months.Length];
        double total = 0;
        for (var i = 0; i < months.Length; i++)
        {
            total += byMonth.GetValueOrDefault(months[i]) / (1024.0 * 1024.0);
            result[i] = total;
        }

        return result;
    }

    /// <summary>One line per series over the months, with month ticks and a legend; nothing when there are no months.</summary>
    private static void MonthlyLines(Plot plot, string[] months, params (string Label, double[] Values)[] series)
    {
        if (months.Length == 0)
        {
            return;
        }

        var xs = Enumerable.Range(0, months.Length).Select(i => (double)i).ToArray();
        foreach (var (label, values) in series)
        {
            plot.Add.Scatter(xs, values).LegendText = label;
        }

        MonthTicks(plot, months);
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void MonthTicks(Plot plot, string[] months)
    {
        var step = Math.Max(1, months.Length / 8);
        var positions = new List<double>();
        var labels = new List<string>();
        for (var i = 0; i < months.Length; i += step)
        {
            positions.Add(i);
            labels.Add(months[i]);
        }

        plot.Axes.Bottom.SetTicks(positions.ToArray(), labels.ToArray());
    }

    private static string Shorten(string s) => s.Length <= 24 ? s : s[..23] + "…";

    private static string Svg(Plot plot) => plot.GetSvgXml(Width, Height);

    internal static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

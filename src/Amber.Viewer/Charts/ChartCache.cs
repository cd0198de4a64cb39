using System.Collections.Concurrent;
using Amber.Core.Cost;
using Amber.Storage;
using Amber.Storage.Reading;

namespace Amber.Viewer.Charts;

/// <summary>
/// The dashboard's data and rendered charts, valid until the archive's next commit (keyed by the last commit
/// sequence). The data is a few whole-table scans, so the page, its four charts and /api/dashboard share one.
/// </summary>
public sealed class ChartCache
{
    private readonly ConcurrentDictionary<string, (long Sequence, string Svg)> entries = new(StringComparer.Ordinal);
    private readonly Lock dataLock = new();
    private (long Sequence, ArchiveDashboard Dashboard, ArchiveStats Stats)? data;
    private (long Sequence, CostReport Report)? cost;

    /// <summary>The dashboard series and the stats as of the archive's last commit.</summary>
    public (ArchiveDashboard Dashboard, ArchiveStats Stats) Data(Archive archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var sequence = archive.GetLastSequence();
        lock (dataLock)
        {
            if (data is { } d && d.Sequence == sequence)
            {
                return (d.Dashboard, d.Stats);
            }

            var fresh = (sequence, archive.GetDashboard(), archive.GetStats());
            data = fresh;
            return (fresh.Item2, fresh.Item3);
        }
    }

    /// <summary>The cost report as of the archive's last commit (one scan of the nodes).</summary>
    public CostReport Cost(Archive archive, CostPricing pricing)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(pricing);
        var sequence = archive.GetLastSequence();
        lock (dataLock)
        {
            if (cost is { } c && c.Sequence == sequence)
            {
                return c.Report;
            }

            var usage = archive.GetUsage();
            var report = CostCalculator.Compute(usage.Rows, usage.ArchiveBytes, pricing.Prices, pricing.Storage);
            cost = (sequence, report);
            return report;
        }
    }

    public string GetOrAdd(string name, long sequence, Func<string> render)
    {
        if (entries.TryGetValue(name, out var e) && e.Sequence == sequence)
        {
            return e.Svg;
        }

        var svg = render();
        entries[name] = (sequence, svg);
        return svg;
    }
}

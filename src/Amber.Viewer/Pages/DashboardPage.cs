using System.Globalization;
using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Transparency.Checkpoints;
using Amber.Viewer.Charts;
using Amber.Viewer.Html;
using Amber.Viewer.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Amber.Viewer.Pages;

/// <summary>The archive's health at a glance: counts, stored against raw bytes, tiers, models, sources, the log.</summary>
public static class DashboardPage
{
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard", (Archive archive, ChartCache charts, CostPricing pricing) => Render(archive, charts, pricing));
        app.MapGet("/charts/{file}", (Archive archive, ChartCache charts, CostPricing pricing, string file) =>
        {
            if (!file.EndsWith(".svg", StringComparison.Ordinal))
            {
                return Results.NotFound();
            }

            var name = file[..^4];
            if (!DashboardCharts.Names.Contains(name) && name != DashboardCharts.CostChart)
            {
                return Results.NotFound();
            }

            var sequence = archive.GetLastSequence();
            if (name == DashboardCharts.CostChart)
            {
                return Results.Text(charts.GetOrAdd(name, sequence, () => DashboardCharts.Cost(charts.Cost(archive, pricing).ByMonth())), "image/svg+xml; charset=utf-8");
            }

            var svg = charts.GetOrAdd(name, sequence, () =>
            {
                var (dashboard, stats) = charts.Data(archive);
                return DashboardCharts.Render(name, dashboard, stats)!;
            });
            return Results.Text(svg, "image/svg+xml; charset=utf-8");
        });
        return app;
    }

    public static IResult Render(Archive archive, ChartCache charts, CostPricing pricing)
    {
        ArgumentNullException.ThrowIfNull(charts);
        var cost = charts.Cost(archive, pricing);
        var (dashboard, stats) = charts.Data(archive);
        archive.RefreshLog();
        var checkpoint = archive.Log.LatestCheckpoint;
        return PageLayout.Page("Dashboard", w =>
        {
            w.Element("h1", "Dashboard");
            using (w.Tag("dl", ("class", "facts"), ("id", "stats")))
            {
                Fact(w, "conversations", N(stats.Conversations));
                Fact(w, "instances", N(stats.Instances));
                Fact(w, "messages (nodes)", N(stats.Nodes));
                Fact(w, "commits", N(stats.Commits));
                Fact(w, "blobs", N(stats.Blobs));
                Fact(w, "raw bytes", N(stats.RawBytes));
                Fact(w, "stored bytes", $"{N(stats.StoredBytes)} ({N(stats.SegmentBytes)} in {stats.Segments} segments, {N(stats.ExternalBlobBytes)} in blob files)");
                Fact(w, "stored / raw", stats.RawBytes == 0 ? "—" : stats.Ratio.ToString("0.000", CultureInfo.InvariantCulture));
                Fact(w, "index bytes", N(stats.IndexBytes));
            }

            using (w.Tag("div", ("class", "charts")))
            {
                foreach (var name in DashboardCharts.Names)
                {
                    w.Void("img", ("src", "/charts/" + name + ".svg"), ("alt", name + " chart"), ("width", DashboardCharts.Width.ToString(CultureInfo.InvariantCulture)), ("height", DashboardCharts.Height.ToString(CultureInfo.InvariantCulture)));
                }
            }

            CostPanel.Write(w, cost);
            w.Element("h2", "Tiers");
            using (w.Tag("table", ("class", "list"), ("id", "tiers")))
            {
                using (w.Tag("tr"))
                {
                    w.Element("th", "tier");
                    w.Element("th", "instances");
                    w.Element("th", "conversations");
                }

                foreach (var t in new[] { "T1", "T2", "T3", "T4" })
                {
                    using (w.Tag("tr"))
                    {
                        using (w.Tag("td"))
                        {
                            PageLayout.TierBadge(w, t);
                        }

                        w.Element("td", N(stats.InstancesByTier.GetValueOrDefault(t)), ("class", "num"));
                        w.Element("td", N(stats.ConversationsByTier.GetValueOrDefault(t)), ("class", "num"));
                    }
                }
            }

            w.Element("h2", "Models");
            WriteModels(w, archive.ListModels());
            w.Element("h2", "Sources");
            using (w.Tag("ul", ("id", "sources")))
            {
                foreach (var (source, count) in dashboard.ConversationsBySource.Take(50))
                {
                    using (w.Tag("li"))
                    {
                        w.Link(Urls.List(source: source), source);
                        w.Text($": {N(count)} conversations");
                    }
                }
            }

            w.Element("h2", "Transparency log");
            if (checkpoint is null)
            {
                w.Element("p", "The log has no checkpoint yet (nothing committed).", ("class", "muted"));
            }
            else
            {
                var parsed = Checkpoint.Parse(checkpoint.Text);
                w.Element("p", $"Latest checkpoint: {N(parsed.Size)} entries, origin {parsed.Origin}, root {Convert.ToBase64String(parsed.RootHash.Span)}.", ("id", "checkpoint"));
                w.Element("pre", checkpoint.Format());
                using (w.Tag("p"))
                {
                    w.Link("/checkpoint", "/checkpoint");
                    w.Text(" (tlog-tiles: /tile/…) · verifier key: ");
                    w.Element("code", archive.Log.VerifierKey.ToString());
                }
            }
        });
    }

    private static void WriteModels(HtmlWriter w, IReadOnlyList<ModelSummary> models)
    {
        using (w.Tag("table", ("class", "list"), ("id", "models")))
        {
            using (w.Tag("tr"))
            {
                foreach (var h in new[] { "model", "provider", "requested", "turns" })
                {
                    w.Element("th", h);
                }
            }

            foreach (var m in models.Take(200))
            {
                using (w.Tag("tr"))
                {
                    using (w.Tag("td"))
                    {
                        w.Link(Urls.Model(m.Id), m.Model.DisplayName);
                    }

                    w.Element("td", m.Model.Provider);
                    w.Element("td", m.Model.Requested ?? "");
                    w.Element("td", N(m.Turns), ("class", "num"));
                }
            }
        }
    }

    private static void Fact(HtmlWriter w, string name, string value)
    {
        w.Element("dt", name);
        w.Element("dd", value);
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

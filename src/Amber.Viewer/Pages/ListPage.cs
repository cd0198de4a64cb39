using System.Globalization;
using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Viewer.Html;
using Amber.Viewer.Rendering;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Pages;

/// <summary>
/// The front page: conversations newest first with filters (model, source, tier, dates) and keyset paging,
/// or, with <c>?q=TEXT</c>, full-text search hits with the matches highlighted.
/// </summary>
public static class ListPage
{
    public const int DefaultPage = 50;
    public const int MaxPage = 500;

    /// <summary>Marks FTS5 puts around matches: private-use characters, removed from text before it is shown.</summary>
    public const string MatchOpen = "\uE000";
    public const string MatchClose = "\uE001";

    public static IResult Render(TenantView scope, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var q = request.Query["q"].ToString();
        var model = Param(request, "model");
        var source = Param(request, "source");
        var tier = Param(request, "tier");
        var from = Param(request, "from");
        var to = Param(request, "to");
        var before = Param(request, "before");
        var nText = Param(request, "n");
        var n = DefaultPage;
        if (nText is not null && (!int.TryParse(nText, NumberStyles.None, CultureInfo.InvariantCulture, out n) || n < 1))
        {
            return PageLayout.BadRequest("n must be a positive whole number.");
        }

        n = Math.Min(n, MaxPage);
        if (!string.IsNullOrWhiteSpace(q))
        {
            return Search(scope, q, n);
        }

        int? tierNumber = null;
        if (tier is not null)
        {
            if (tier.Length != 2 || tier[0] != 'T' || tier[1] is < '1' or > '4')
            {
                return PageLayout.BadRequest("tier must be T1, T2, T3 or T4.");
            }

            tierNumber = tier[1] - '0';
        }

        (string, string)? cursor = null;
        if (before is not null)
        {
            var bar = before.IndexOf('|', StringComparison.Ordinal);
            if (bar <= 0)
            {
                return PageLayout.BadRequest("before must be CREATED|ID as given by the previous page.");
            }

            cursor = (before[..bar], before[(bar + 1)..]);
        }

        var page = scope.Archive.PageConversations(n, scope.Filter(new ConversationFilter(model, source, tierNumber, from, to)), cursor);
        var models = scope.ListModelNames();
        return PageLayout.Page("Conversations", w =>
        {
            w.Element("h1", "Conversations");
            WriteFilters(w, models, model, source, tier, from, to, n);
            if (page.Count == 0)
            {
                w.Element("p", before is null ? "No conversations match." : "No older conversations.", ("class", "muted empty"));
            }
            else
            {
                WriteTable(w, page);
            }

            using (w.Tag("nav", ("class", "pager")))
            {
                if (before is not null)
                {
                    w.Link(Urls.List(null, model, source, tier, from, to, null, nText is null ? null : n), "« Newest");
                }

                if (page.Count == n)
                {
                    var next = $"{page[^1].Created}|{page[^1].Id}";
                    w.Link(Urls.List(null, model, source, tier, from, to, next, nText is null ? null : n), "Older »", ("rel", "next"), ("id", "older"));
                }
            }
        });
    }

    private static string? Param(HttpRequest request, string name)
    {
        var v = request.Query[name].ToString();
        return string.IsNullOrWhiteSpace(v) ? null : v.Trim();
    }

    private static void WriteFilters(HtmlWriter w, IReadOnlyList<string> models, string? model, string? source, string? tier, string? from, string? to, int n)
    {
        using (w.Tag("form", ("class", "filters"), ("method", "get"), ("action", "/")))
        {
            using (w.Tag("label"))
            {
                w.Text("Model ");
                using (w.Tag("select", ("name", "model")))
                {
                    w.Element("option", "any", ("value", ""));
                    foreach (var m in models)
                    {
                        w.Element("option", m, ("value", m), ("selected", m == model ? "" : null));
                    }
                }
            }

            using (w.Tag("label"))
            {
                w.Text("Source ");
                w.Void("input", ("type", "text"), ("name", "source"), ("value", source ?? ""), ("placeholder", "source or format"), ("size", "14"));
            }

            using (w.Tag("label"))
            {
                w.Text("Tier ");
                using (w.Tag("select", ("name", "tier")))
                {
                    w.Element("option", "any", ("value", ""));
                    foreach (var t in new[] { "T1", "T2", "T3", "T4" })
                    {
                        w.Element("option", t, ("value", t), ("selected", t == tier ? "" : null));
                    }
                }
            }

            using (w.Tag("label"))
            {
                w.Text("From ");
                w.Void("input", ("type", "text"), ("name", "from"), ("value", from ?? ""), ("placeholder", "2024-05"), ("size", "10"));
            }

            using (w.Tag("label"))
            {
                w.Text("To ");
                w.Void("input", ("type", "text"), ("name", "to"), ("value", to ?? ""), ("placeholder", "2025-01"), ("size", "10"));
            }

            if (n != DefaultPage)
            {
                w.Void("input", ("type", "hidden"), ("name", "n"), ("value", n.ToString(CultureInfo.InvariantCulture)));
            }

            w.Element("button", "Filter", ("type", "submit"));
        }
    }

    private static void WriteTable(HtmlWriter w, IReadOnlyList<ConversationSummary> page)
    {
        using (w.Tag("table", ("class", "list"), ("id", "conversations")))
        {
            using (w.Tag("thead"))
            {
                using (w.Tag("tr"))
                {
                    foreach (var h in new[] { "Title", "Source", "Models", "Tier", "Messages", "Instances", "Created" })
                    {
                        w.Element("th", h);
                    }
                }
            }

            using (w.Tag("tbody"))
            {
                foreach (var s in page)
                {
                    using (w.Tag("tr"))
                    {
                        using (w.Tag("td"))
                        {
                            w.Link(Urls.Conversation(s.Id), s.Title ?? "(untitled)", ("class", "conversation-link"));
                        }

                        w.Element("td", s.Source == s.Format ? s.Source : $"{s.Source} ({s.Format})");
                        w.Element("td", string.Join(", ", s.Models));
                        using (w.Tag("td"))
                        {
                            PageLayout.TierBadge(w, s.Tier);
                        }

                        w.Element("td", s.Nodes.ToString(CultureInfo.InvariantCulture), ("class", "num"));
                        w.Element("td", s.Instances.ToString(CultureInfo.InvariantCulture), ("class", "num"));
                        w.Element("td", s.Created, ("class", "date"));
                    }
                }
            }
        }
    }

    private static IResult Search(TenantView scope, string q, int n)
    {
        var hits = scope.Search(q, n, SearchOrder.Rank, MatchOpen, MatchClose, 32);
        return PageLayout.Page("Search: " + q, w =>
        {
            w.Element("h1", "Search");
            w.Element("p", hits.Count == 0 ? $"No message matches “{q}”." : $"{hits.Count}{(hits.Count == n ? "+" : "")} messages match “{q}”.", ("class", "muted"), ("id", "search-summary"));
            using (w.Tag("ol", ("class", "hits"), ("id", "hits")))
            {
                foreach (var h in hits)
                {
                    using (w.Tag("li", ("class", "hit")))
                    {
                        w.Link(Urls.Conversation(h.Conversation, h.Node, h.Node), h.Title ?? "(untitled)", ("class", "hit-link"));
                        w.Element("span", " " + h.Role, ("class", "muted"));
                        using (w.Tag("p", ("class", "snippet")))
                        {
                            WriteSnippet(w, h.Snippet);
                        }
                    }
                }
            }
        }, query: q);
    }

    /// <summary>Writes a snippet with its marked matches in &lt;mark&gt;; every piece of text is encoded.</summary>
    public static void WriteSnippet(HtmlWriter w, string snippet)
    {
        var i = 0;
        while (i < snippet.Length)
        {
            var open = snippet.IndexOf(MatchOpen, i, StringComparison.Ordinal);
            if (open < 0)
            {
                w.Text(Clean(snippet[i..]));
                return;
            }

            w.Text(Clean(snippet[i..open]));
            var close = snippet.IndexOf(MatchClose, open + 1, StringComparison.Ordinal);
            var end = close < 0 ? snippet.Length : close;
            w.Element("mark", Clean(snippet[(open + 1)..end]));
            i = close < 0 ? snippet.Length : close + 1;
        }
    }

    private static string Clean(string s) => s.Replace(MatchOpen, "", StringComparison.Ordinal).Replace(MatchClose, "", StringComparison.Ordinal);
}

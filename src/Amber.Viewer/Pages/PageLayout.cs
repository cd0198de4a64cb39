using Amber.Viewer.Html;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Pages;

/// <summary>The frame every page shares: head (stylesheets, KaTeX and the viewer's script), navigation with the search box, and main.</summary>
public static class PageLayout
{
    public const string HtmlContentType = "text/html; charset=utf-8";

    public static IResult Page(string title, Action<HtmlWriter> main, int status = 200, string? query = null)
    {
        var w = new HtmlWriter(32 * 1024);
        w.Doctype();
        using (w.Tag("html", ("lang", "en")))
        {
            using (w.Tag("head"))
            {
                w.Void("meta", ("charset", "utf-8"));
                w.Void("meta", ("name", "viewport"), ("content", "width=device-width, initial-scale=1"));
                w.Element("title", title + " · Amber");
                w.Void("meta", ("name", "color-scheme"), ("content", "light dark"));
                w.Void("link", ("rel", "stylesheet"), ("href", "/static/viewer.css"));
                w.Void("link", ("rel", "stylesheet"), ("href", StaticAssets.KatexPath + "katex.min.css"));
                w.Void("link", ("rel", "icon"), ("href", "/static/favicon.svg"), ("type", "image/svg+xml"));
                // Deferred scripts run in order: KaTeX is loaded when viewer.js renders the math it finds.
                w.Element("script", null, ("src", StaticAssets.KatexPath + "katex.min.js"), ("defer", ""));
                w.Element("script", null, ("src", "/static/viewer.js"), ("defer", ""));
            }

            using (w.Tag("body"))
            {
                using (w.Tag("header", ("class", "top")))
                {
                    w.Link("/", "Amber", ("class", "brand"));
                    using (w.Tag("nav"))
                    {
                        w.Link("/", "Conversations");
                        w.Link("/dashboard", "Dashboard");
                    }

                    using (w.Tag("form", ("class", "search"), ("action", "/"), ("method", "get"), ("role", "search")))
                    {
                        w.Void("input", ("type", "search"), ("name", "q"), ("value", query ?? ""), ("placeholder", "Search messages"), ("aria-label", "Search messages"));
                        w.Element("button", "Search", ("type", "submit"));
                    }
                }

                using (w.Tag("main", ("id", "main")))
                {
                    main(w);
                }
            }
        }

        return Results.Content(w.ToString(), HtmlContentType, System.Text.Encoding.UTF8, status);
    }

    public static IResult NotFound(string message) => Page("Not found", w =>
    {
        w.Element("h1", "Not found");
        w.Element("p", message);
    }, 404);

    public static IResult BadRequest(string message) => Page("Bad request", w =>
    {
        w.Element("h1", "Bad request");
        w.Element("p", message);
    }, 400);

    /// <summary>A "T1".."T4" badge; the title says what the tier means.</summary>
    public static void TierBadge(HtmlWriter w, string tier)
    {
        var meaning = tier switch
        {
            "T1" => "T1 full state: exact re-derivation plus the saved inference state",
            "T2" => "T2 exact re-derivation: weights, engine, tokenizer, sampler, seed and token ids",
            "T3" => "T3 close replication: resolved model snapshot and the full request",
            _ => "T4 transcript: messages, the model name at most",
        };
        w.Element("span", tier, ("class", "tier tier-" + tier.ToLowerInvariant()), ("title", meaning));
    }
}

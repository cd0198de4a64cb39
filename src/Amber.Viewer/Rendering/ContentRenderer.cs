using System.Globalization;
using Amber.Core.Model;
using Amber.Viewer.Html;

namespace Amber.Viewer.Rendering;

/// <summary>
/// Renders a message's content blocks: Markdown text, images and attachments from the blob store, tool
/// calls and results, thinking (collapsed), and provider items Amber does not model (as JSON).
/// </summary>
public static class ContentRenderer
{
    /// <summary>Tool results nested deeper than this are shown as JSON.</summary>
    public const int MaxNesting = 8;

    private static readonly HashSet<string> InlineImageTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp", "image/avif", "image/bmp",
    };

    /// <summary>True for the raster image types a browser may show inline (never SVG or HTML).</summary>
    public static bool IsInlineImage(string? mediaType) => mediaType is not null && InlineImageTypes.Contains(mediaType);

    public static SafeHtml Render(IReadOnlyList<ContentBlock> blocks)
    {
        var w = new HtmlWriter(256);
        Write(w, blocks, 0);
        return w.ToSafeHtml();
    }

    public static void Write(HtmlWriter w, IReadOnlyList<ContentBlock> blocks, int depth)
    {
        foreach (var block in blocks)
        {
            switch (block)
            {
                case TextBlock t:
                    using (w.Tag("div", ("class", "block text"), ("dir", "auto")))
                    {
                        w.Html(MarkdownRenderer.Render(t.Text));
                    }

                    break;
                case ThinkingBlock k:
                    using (w.Tag("details", ("class", "block thinking")))
                    {
                        w.Element("summary", k.Redacted ? "Thinking (redacted)" : "Thinking");
                        if (k.Text.Length > 0)
                        {
                            w.Html(MarkdownRenderer.Render(k.Text));
                        }

                        if (k.Signature is not null)
                        {
                            w.Element("p", "signature: " + Shorten(k.Signature, 80), ("class", "muted"));
                        }
                    }

                    break;
                case BlobBlock b:
                    WriteBlob(w, b);
                    break;
                case ToolCallBlock c:
                    using (w.Tag("div", ("class", "block tool-call")))
                    {
                        using (w.Tag("div", ("class", "label")))
                        {
                            w.Text("Tool call ");
                            w.Element("code", c.Name);
                            if (c.Id is not null)
                            {
                                w.Element("span", " " + c.Id, ("class", "muted"));
                            }
                        }

                        if (c.Arguments is not null)
                        {
                            JsonView.Write(w, c.Arguments is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? TryParse(s) : c.Arguments);
                        }
                    }

                    break;
                case ToolResultBlock r:
                    using (w.Tag("div", ("class", r.IsError ? "block tool-result error" : "block tool-result")))
                    {
                        using (w.Tag("div", ("class", "label")))
                        {
                            w.Text(r.IsError ? "Tool result (error)" : "Tool result");
                            if (r.CallId is not null)
                            {
                                w.Element("span", " " + r.CallId, ("class", "muted"));
                            }
                        }

                        if (depth >= MaxNesting)
                        {
                            JsonView.Write(w, r.ToJson());
                        }
                        else
                        {
                            Write(w, r.Content, depth + 1);
                        }
                    }

                    break;
                case OpaqueBlock o:
                    using (w.Tag("details", ("class", "block opaque")))
                    {
                        w.Element("summary", $"{o.Provider} item: {o.ItemType}");
                        JsonView.Write(w, o.Value);
                    }

                    break;
                default:
                    JsonView.Write(w, block.ToJson());
                    break;
            }
        }
    }

    private static void WriteBlob(HtmlWriter w, BlobBlock b)
    {
        var label = b.Name ?? b.BlobKind;
        using (w.Tag("div", ("class", "block blob")))
        {
            if (IsInlineImage(b.MediaType))
            {
                using (w.Tag("a", ("href", Urls.Blob(b.Blob, b.MediaType, b.Name))))
                {
                    w.Void("img", ("src", Urls.Blob(b.Blob, b.MediaType)), ("alt", label), ("loading", "lazy"));
                }
            }

            using (w.Tag("div", ("class", "attachment")))
            {
                w.Text(b.BlobKind + ": ");
                w.Link(Urls.Blob(b.Blob, b.MediaType, b.Name ?? Urls.Hex(b.Blob)[..16], download: true), label, ("download", ""));
                var details = new List<string>();
                if (b.MediaType is not null)
                {
                    details.Add(b.MediaType);
                }

                if (b.Size is { } size)
                {
                    details.Add(size.ToString("N0", CultureInfo.InvariantCulture) + " bytes");
                }

                if (details.Count > 0)
                {
                    w.Element("span", " (" + string.Join(", ", details) + ")", ("class", "muted"));
                }

                w.Text(" ");
                w.Link(Urls.BlobPage(b.Blob), "view", ("class", "muted"));
            }
        }
    }

    private static System.Text.Json.Nodes.JsonNode? TryParse(string s)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(s) ?? s;
        }
        catch (System.Text.Json.JsonException)
        {
            return s;
        }
    }

    public static string Shorten(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}

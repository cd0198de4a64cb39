using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Amber.Viewer.Html;

/// <summary>
/// Writes HTML in which every text and attribute value is encoded by construction. Tag and attribute names
/// come from code and are checked (no event-handler attributes); URL attributes accept only relative paths,
/// fragments, http, https and mailto. The only way to add markup is another <see cref="SafeHtml"/>.
/// </summary>
public sealed class HtmlWriter
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly StringBuilder sb;

    public HtmlWriter(int capacity = 4096) => sb = new StringBuilder(capacity);

    public int Length => sb.Length;

    /// <summary>Starts a document.</summary>
    public HtmlWriter Doctype()
    {
        sb.Append("<!DOCTYPE html>");
        return this;
    }

    /// <summary>Opens an element and returns a scope that closes it.</summary>
    public HtmlScope Tag(string tag, params ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        Open(tag, attributes);
        return new HtmlScope(this, tag);
    }

    public HtmlWriter Open(string tag, params ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        CheckName(tag);
        sb.Append('<').Append(tag);
        foreach (var (name, value) in attributes)
        {
            if (value is null)
            {
                continue;
            }

            CheckName(name);
            if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase) || name.Equals("style", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"HtmlWriter: the attribute \"{name}\" is not allowed (no inline script or style).", nameof(attributes));
            }

            sb.Append(' ').Append(name);
            if (name.Length > 0 && value.Length == 0 && IsBoolean(name))
            {
                continue;
            }

            sb.Append("=\"");
            sb.Append(Encoder.Encode(IsUrlAttribute(name) ? SafeUrl(value) : value));
            sb.Append('"');
        }

        sb.Append('>');
        return this;
    }

    public HtmlWriter Close(string tag)
    {
        CheckName(tag);
        sb.Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>An element with text content (encoded).</summary>
    public HtmlWriter Element(string tag, string? text, params ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        Open(tag, attributes);
        Text(text);
        return Close(tag);
    }

    /// <summary>A void element such as input, img, br, meta or link.</summary>
    public HtmlWriter Void(string tag, params ReadOnlySpan<(string Name, string? Value)> attributes) => Open(tag, attributes);

    public HtmlWriter Text(string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            sb.Append(Encoder.Encode(text));
        }

        return this;
    }

    public HtmlWriter Html(SafeHtml html)
    {
        sb.Append(html.Value);
        return this;
    }

    public HtmlWriter Link(string href, string text, params ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        Open("a", [("href", href), .. attributes]);
        Text(text);
        return Close("a");
    }

    public SafeHtml ToSafeHtml() => new(sb.ToString());

    public override string ToString() => sb.ToString();

    /// <summary>
    /// The URL if it is relative to this site (a path, query or fragment) or http(s)/mailto; otherwise "#".
    /// Keeps javascript:, data:, vbscript: and protocol-relative URLs out of every attribute.
    /// </summary>
    public static string SafeUrl(string url)
    {
        var u = url.Trim();
        if (u.Length == 0)
        {
            return "#";
        }

        if (u[0] == '#' || u[0] == '?')
        {
            return u;
        }

        if (u[0] == '/')
        {
            return u.Length > 1 && (u[1] == '/' || u[1] == '\\') ? "#" : u;
        }

        return u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            || u.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || u.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? u : "#";
    }

    private static bool IsUrlAttribute(string name) => name is "href" or "src" or "action" or "formaction" or "poster" or "cite";

    private static bool IsBoolean(string name) => name is "open" or "checked" or "selected" or "disabled" or "hidden" or "defer" or "required";

    private static void CheckName(string name)
    {
        if (name.Length == 0)
        {
            throw new ArgumentException("HtmlWriter: empty tag or attribute name.", nameof(name));
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                throw new ArgumentException($"HtmlWriter: \"{name}\" is not a valid tag or attribute name.", nameof(name));
            }
        }
    }
}

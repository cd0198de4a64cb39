using ColorCode;

namespace Amber.Viewer.Rendering.Extensions;

/// <summary>
/// Server-side syntax highlighting (ColorCode): token spans with CSS classes, coloured by viewer.css for light
/// and dark, so code reads the same with scripts off. Languages ColorCode does not know stay plain.
/// </summary>
public static class CodeHighlighter
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cs"] = "c#",
        ["csharp"] = "c#",
        ["c#"] = "c#",
        ["js"] = "javascript",
        ["javascript"] = "javascript",
        ["jsx"] = "javascript",
        ["mjs"] = "javascript",
        ["ts"] = "typescript",
        ["typescript"] = "typescript",
        ["tsx"] = "typescript",
        ["py"] = "python",
        ["python"] = "python",
        ["python3"] = "python",
        ["c"] = "cpp",
        ["h"] = "cpp",
        ["cpp"] = "cpp",
        ["c++"] = "cpp",
        ["cc"] = "cpp",
        ["hpp"] = "cpp",
        ["java"] = "java",
        ["json"] = "json",
        ["jsonc"] = "json",
        ["sql"] = "sql",
        ["html"] = "html",
        ["xml"] = "xml",
        ["svg"] = "xml",
        ["xaml"] = "xml",
        ["csproj"] = "xml",
        ["css"] = "css",
        ["php"] = "php",
        ["powershell"] = "powershell",
        ["ps1"] = "powershell",
        ["pwsh"] = "powershell",
        ["fsharp"] = "f#",
        ["fs"] = "f#",
        ["f#"] = "f#",
        ["haskell"] = "haskell",
        ["hs"] = "haskell",
        ["markdown"] = "markdown",
        ["md"] = "markdown",
        ["fortran"] = "fortran",
        ["matlab"] = "matlab",
        ["vb"] = "vb.net",
        ["vbnet"] = "vb.net",
        ["koka"] = "koka",
    };

    private static readonly ThreadLocal<HtmlClassFormatter> Formatter = new(() => new HtmlClassFormatter());

    /// <summary>The language a fence's info string names, or null when ColorCode has none for it; <paramref name="name"/> is the name as known here, lower case.</summary>
    public static ILanguage? Language(string? info, out string name)
    {
        name = (info?.Trim().Split(' ', 2)[0] ?? "").ToLowerInvariant();
        return Aliases.TryGetValue(name, out var id) ? Languages.FindById(id) : null;
    }

    /// <summary>The code as encoded HTML with token spans (no wrapper), or null when ColorCode's output is not as expected.</summary>
    public static string? Highlight(string code, ILanguage language)
    {
        // HtmlClassFormatter writes <div class="…"><pre>\n…</pre></div>; only what is inside <pre> is kept.
        var html = Formatter.Value!.GetHtmlString(code, language);
        var open = html.IndexOf("<pre>", StringComparison.Ordinal);
        var close = html.LastIndexOf("</pre>", StringComparison.Ordinal);
        if (open < 0 || close < open)
        {
            return null;
        }

        var body = html[(open + 5)..close];
        return body.StartsWith('\n') ? body[1..] : body;
    }
}

using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Pages;

/// <summary>
/// The viewer's stylesheet, script and the vendored KaTeX, embedded in the assembly (Static/), served under
/// /static/. KaTeX is served under a path that names its version, so it can be cached for good; the viewer's own
/// files change with Amber and are revalidated.
/// </summary>
public static class StaticAssets
{
    /// <summary>The KaTeX release in Static/katex (tools/vendor-katex.sh fetches exactly this one).</summary>
    public const string KatexVersion = "0.19.1";

    /// <summary>The URL folder KaTeX is served from (its stylesheet finds the fonts relative to it).</summary>
    public const string KatexPath = "/static/katex-" + KatexVersion + "/";

    private const string KatexFolder = "katex/";

    private static readonly Lazy<Dictionary<string, (byte[] Bytes, string Type)>> Assets = new(Load);

    public static IResult Serve(string name, HttpContext http)
    {
        if (!Assets.Value.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = name.StartsWith("katex-", StringComparison.Ordinal) ? "public, max-age=31536000, immutable" : "no-cache";
        return Results.Bytes(asset.Bytes, asset.Type);
    }

    private static Dictionary<string, (byte[], string)> Load()
    {
        const string prefix = "Amber.Viewer.Static.";
        var assembly = typeof(StaticAssets).Assembly;
        var result = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[prefix.Length..].Replace('\\', '/');
            if (name.StartsWith(KatexFolder, StringComparison.Ordinal))
            {
                name = KatexPath["/static/".Length..] + name[KatexFolder.Length..];
            }

            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".txt" => "text/plain; charset=utf-8",
                ".svg" => "image/svg+xml",
                ".woff2" => "font/woff2",
                _ => "application/octet-stream",
            };
            result[name] = (copy.ToArray(), type);
        }

        return result;
    }
}

using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Pages;

/// <summary>The viewer's stylesheet and script, embedded in the assembly (Static/), served under /static/.</summary>
public static class StaticAssets
{
    private static readonly Lazy<Dictionary<string, (byte[] Bytes, string Type)>> Assets = new(Load);

    public static IResult Serve(string name, HttpContext http)
    {
        if (!Assets.Value.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "no-cache";
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
            var name = resource[prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".txt" => "text/plain; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            result[name] = (copy.ToArray(), type);
        }

        return result;
    }
}

namespace Amber.Core.Hosting;

/// <summary>
/// The one normalization of a request path that decides whether the gateway owns it and which of its
/// routes it is. ASP.NET Core routing matches <c>/V1/…</c> as <c>/v1/…</c>, and Kestrel has already
/// decoded percent-escapes and removed dot segments, so every spelling is folded here the same way:
/// repeated slashes collapsed, lower case.
/// </summary>
public static class GatewayRoute
{
    /// <summary>Endpoint metadata that marks the gateway's endpoint, so hosts can decide by the route the request will take.</summary>
    public static readonly object EndpointMarker = new GatewayEndpointMarker();

    /// <summary>The path as routes are compared: repeated slashes collapsed, an encoded slash decoded, lower case.</summary>
    public static string Canonical(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        var decoded = path.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase).Replace('\\', '/');
        var builder = new System.Text.StringBuilder(decoded.Length);
        foreach (var c in decoded)
        {
            if (c == '/' && builder.Length > 0 && builder[^1] == '/')
            {
                continue;
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.Length == 0 || builder[0] != '/' ? "/" + builder : builder.ToString();
    }

    /// <summary>True when the canonical path is <c>/v1</c> or under it.</summary>
    public static bool IsGatewayPath(string? path)
    {
        var canonical = Canonical(path);
        return canonical == "/v1" || canonical.StartsWith("/v1/", StringComparison.Ordinal);
    }

    private sealed class GatewayEndpointMarker
    {
        public override string ToString() => "amber gateway";
    }
}

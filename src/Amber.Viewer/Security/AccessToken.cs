using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Security;

/// <summary>
/// The access token `amber serve` requires when it listens beyond loopback. Every page and API call must
/// carry it as <c>Authorization: Bearer TOKEN</c>, as the <c>amber_token</c> cookie, or once as
/// <c>?token=TOKEN</c>, which sets that cookie (HttpOnly, SameSite=Strict) and redirects to the same URL
/// without it, so the token does not stay in the address bar. <c>/v1/*</c> (the gateway) and <c>/healthz</c>
/// are left alone. Tokens are compared in constant time.
/// </summary>
public static class AccessToken
{
    public const string CookieName = "amber_token";
    public const string QueryName = "token";

    /// <summary>A new random token (32 bytes, base64url) from <paramref name="random"/>.</summary>
    public static string Create(Action<Span<byte>> random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[32];
        random(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static IApplicationBuilder UseAccessToken(this IApplicationBuilder app, string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var expected = Encoding.UTF8.GetBytes(token);
        return app.Use(async (http, next) =>
        {
            var path = http.Request.Path;
            if (Gateway.IsGatewayPath(path) || path.Equals("/healthz", StringComparison.Ordinal))
            {
                await next(http).ConfigureAwait(false);
                return;
            }

            if (http.Request.Query.TryGetValue(QueryName, out var fromQuery) && Matches(expected, fromQuery.ToString()))
            {
                http.Response.Cookies.Append(CookieName, token, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = http.Request.IsHttps,
                    Path = "/",
                });
                var rest = http.Request.Query.Where(q => q.Key != QueryName).Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value.ToString()));
                var query = string.Join('&', rest);
                http.Response.Redirect(http.Request.PathBase + path + (query.Length > 0 ? "?" + query : ""));
                return;
            }

            var header = http.Request.Headers.Authorization.ToString();
            var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim()
                : http.Request.Cookies.TryGetValue(CookieName, out var cookie) ? cookie : null;
            if (presented is not null && Matches(expected, presented))
            {
                await next(http).ConfigureAwait(false);
                return;
            }

            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.Headers.WWWAuthenticate = "Bearer";
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync("This Amber server needs its access token: open the URL it printed at start (?token=…), or send Authorization: Bearer TOKEN.\n").ConfigureAwait(false);
        });
    }

    private static bool Matches(byte[] expected, string presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented);
        return bytes.Length == expected.Length && CryptographicOperations.FixedTimeEquals(bytes, expected);
    }
}

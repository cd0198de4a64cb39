using System.Security.Cryptography;
using System.Text;
using Amber.Core.Hosting;
using Amber.Core.Hosting.AspNet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Security;

/// <summary>
/// The access token `amber serve` requires when it listens beyond loopback. Every page and API call must
/// carry it as <c>Authorization: Bearer TOKEN</c>, as the <c>amber_token</c> cookie, or once as
/// <c>?token=TOKEN</c>, which sets that cookie (HttpOnly, SameSite=Strict) and redirects to the same URL
/// without it, so the token does not stay in the address bar. <c>/v1/*</c> (the gateway), <c>/healthz</c> and
/// <c>/readyz</c> are left alone; <c>/metrics</c> needs the token like any page. Tokens are compared in constant time.
/// </summary>
public static class AccessToken
{
    public const string CookieName = AmberCookie.Token;
    public const string QueryName = "token";

    /// <summary>The shortest token accepted: 32 characters of base64 carry 192 bits, hex 128.</summary>
    public const int MinimumLength = 32;

    /// <summary>
    /// Why <paramref name="token"/> cannot be an access token, or null when it can: at least
    /// <see cref="MinimumLength"/> characters, only letters, digits and <c>-._~+/=</c> (base64, base64url,
    /// hex, UUIDs: safe in a header, a cookie and a URL), and not a few characters repeated.
    /// </summary>
    public static string? Problem(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length < MinimumLength)
        {
            return $"the access token is {token.Length} characters long; it must have at least {MinimumLength} (a random one: `openssl rand -base64 32`, or leave it out to have one generated)";
        }

        if (!token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/' or '='))
        {
            return "the access token may hold only letters, digits and -._~+/= (it travels in a header, a cookie and a URL)";
        }

        return token.Distinct().Count() < 8 ? "the access token repeats too few characters to be secret; use a random one" : null;
    }

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
        if (Problem(token) is { } problem)
        {
            throw new ArgumentException(problem, nameof(token));
        }

        var expected = Encoding.UTF8.GetBytes(token);
        return app.Use(async (http, next) =>
        {
            var path = http.Request.Path;
            if (Gateway.IsGatewayRequest(http))
            {
                // Not the viewer's to check, and never the upstream's to see.
                StripViewerCredentials(http.Request, expected);
                await next(http).ConfigureAwait(false);
                return;
            }

            if (path.Equals(Observability.HealthPath, StringComparison.Ordinal) || path.Equals(Observability.ReadyPath, StringComparison.Ordinal))
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
                http.Response.Redirect(SameSitePath(http.Request.PathBase + path) + (query.Length > 0 ? "?" + query : ""));
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

    /// <summary>
    /// A redirect target that stays on this origin whatever the path: one leading slash (<c>//host/</c>
    /// would be protocol-relative, off-site) and every character outside a path segment escaped
    /// (<c>/\host/</c> is read as <c>//host/</c> by browsers).
    /// </summary>
    internal static string SameSitePath(PathString path)
    {
        var escaped = path.ToUriComponent().Replace("\\", "%5C", StringComparison.Ordinal);
        return "/" + escaped.TrimStart('/');
    }

    /// <summary>Removes the viewer's cookie and, when it carries the viewer's token, the Authorization header and <c>?token=</c>.</summary>
    private static void StripViewerCredentials(HttpRequest request, byte[] expected)
    {
        if (request.Headers.Cookie.Count > 0)
        {
            var kept = AmberCookie.StripFrom(request.Headers.Cookie.ToString());
            if (kept is null)
            {
                request.Headers.Remove("Cookie");
            }
            else
            {
                request.Headers.Cookie = kept;
            }
        }

        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && Matches(expected, header[7..].Trim()))
        {
            request.Headers.Remove("Authorization");
        }

        if (request.Query.TryGetValue(QueryName, out var fromQuery) && Matches(expected, fromQuery.ToString()))
        {
            request.QueryString = QueryString.Create(request.Query.Where(q => q.Key != QueryName));
        }
    }

    private static bool Matches(byte[] expected, string presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented);
        return bytes.Length == expected.Length && CryptographicOperations.FixedTimeEquals(bytes, expected);
    }
}

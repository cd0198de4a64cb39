using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hosting;
using Amber.Core.Hosting.AspNet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Security;

/// <summary>
/// Every request's token and scope (docs/ARCHITECTURE.md, "Access"). <c>/v1/*</c> (the gateway, OTLP ingest, local
/// models) takes the token as <c>Amber-Token: TOKEN</c>, removed before anything else sees the request, so the client's
/// provider key goes upstream untouched, and needs <c>capture</c> or <c>admin</c>; a capture token's tenant is where the
/// calls land (<see cref="CaptureTenant"/>). Every other route takes <c>Authorization: Bearer TOKEN</c>, the
/// <c>amber_token</c> cookie, or once <c>?token=TOKEN</c> (which sets the cookie and redirects without it), and needs
/// <c>read</c> (routes marked <see cref="ReadRoute"/>, answering from the token's tenant only) or <c>admin</c>.
/// <c>/healthz</c> and <c>/readyz</c> stay open. Wrong scope: 403; no valid token: 401.
/// </summary>
public static class AccessCheck
{
    /// <summary>The header that carries an Amber token on <c>/v1</c>.</summary>
    public const string GatewayHeader = CaptureTenant.Header;

    public static IApplicationBuilder UseAccessCheck(this IApplicationBuilder app, AccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ServerToken is { } t && AccessToken.Problem(t) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var serverToken = options.ServerToken is null ? null : Encoding.UTF8.GetBytes(options.ServerToken);
        AccessGrant? Authenticate(string? presented)
        {
            if (string.IsNullOrEmpty(presented))
            {
                return null;
            }

            if (serverToken is not null && AccessToken.Matches(serverToken, presented))
            {
                return new AccessGrant(TokenScope.Admin, null, null);
            }

            return options.Store?.Authenticate(presented);
        }

        return app.Use(async (http, next) =>
        {
            var path = http.Request.Path;
            if (path.Equals(Observability.HealthPath, StringComparison.Ordinal) || path.Equals(Observability.ReadyPath, StringComparison.Ordinal))
            {
                await next(http).ConfigureAwait(false);
                return;
            }

            if (Gateway.IsGatewayRequest(http))
            {
                var presented = http.Request.Headers[CaptureTenant.Header].ToString();
                StripCredentials(http.Request, serverToken);
                if (presented.Length == 0 && !options.Required)
                {
                    await next(http).ConfigureAwait(false); // open: the keyed hash of the provider key names the tenant
                    return;
                }

                var grant = Authenticate(presented);
                if (grant is null)
                {
                    await GatewayRefusal(http, StatusCodes.Status401Unauthorized, "amber_unauthorized",
                        $"This Amber gateway needs an Amber token with capture scope in the {CaptureTenant.Header} header (your provider key stays in Authorization). The call was not forwarded.").ConfigureAwait(false);
                    return;
                }

                if (grant.Scope == TokenScope.Read)
                {
                    await GatewayRefusal(http, StatusCodes.Status403Forbidden, "amber_forbidden",
                        "This Amber token has read scope; /v1 needs capture or admin. The call was not forwarded.").ConfigureAwait(false);
                    return;
                }

                if (grant.Tenant is { } tenant)
                {
                    CaptureTenant.Set(http, tenant);
                }

                grant.Attach(http);
                await next(http).ConfigureAwait(false);
                return;
            }

            if (!options.Required)
            {
                await next(http).ConfigureAwait(false);
                return;
            }

            if (http.Request.Query.TryGetValue(AccessToken.QueryName, out var fromQuery) && Authenticate(fromQuery.ToString()) is not null)
            {
                http.Response.Cookies.Append(AccessToken.CookieName, fromQuery.ToString(), new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = http.Request.IsHttps,
                    Path = "/",
                });
                var rest = http.Request.Query.Where(q => q.Key != AccessToken.QueryName).Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value.ToString()));
                var query = string.Join('&', rest);
                http.Response.Redirect(AccessToken.SameSitePath(http.Request.PathBase + path) + (query.Length > 0 ? "?" + query : ""));
                return;
            }

            var header = http.Request.Headers.Authorization.ToString();
            var credential = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim()
                : http.Request.Cookies.TryGetValue(AccessToken.CookieName, out var cookie) ? cookie : null;
            var viewer = Authenticate(credential);
            if (viewer is null)
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.Headers.WWWAuthenticate = "Bearer";
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync("This Amber server needs an access token: open the URL it printed at start (?token=…), or send Authorization: Bearer TOKEN (amber token create).\n").ConfigureAwait(false);
                return;
            }

            var allowed = viewer.Scope == TokenScope.Admin
                || (viewer.Scope == TokenScope.Read && http.GetEndpoint()?.Metadata.Contains(ReadRoute.Marker) == true);
            if (!allowed)
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync(viewer.Scope == TokenScope.Capture
                    ? "This Amber token has capture scope: it opens /v1 (as the Amber-Token header) and nothing else.\n"
                    : "This Amber token has read scope; this page covers the whole archive and needs an admin token.\n").ConfigureAwait(false);
                return;
            }

            viewer.Attach(http);
            await next(http).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Amber's credentials never reach the upstream: the Amber-Token header and Amber's cookie always go, and the
    /// Authorization header and <c>?token=</c> when they carry the server's own token.
    /// </summary>
    private static void StripCredentials(HttpRequest request, byte[]? serverToken)
    {
        request.Headers.Remove(CaptureTenant.Header);
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

        if (serverToken is null)
        {
            return;
        }

        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && AccessToken.Matches(serverToken, header[7..].Trim()))
        {
            request.Headers.Remove("Authorization");
        }

        if (request.Query.TryGetValue(AccessToken.QueryName, out var fromQuery) && AccessToken.Matches(serverToken, fromQuery.ToString()))
        {
            request.QueryString = QueryString.Create(request.Query.Where(q => q.Key != AccessToken.QueryName));
        }
    }

    private static async Task GatewayRefusal(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        var body = new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = code, ["code"] = code } };
        await http.Response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
    }
}

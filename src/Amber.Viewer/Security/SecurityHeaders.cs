using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Security;

/// <summary>
/// Headers on every response outside the gateway's <c>/v1/*</c>: a strict Content-Security-Policy (scripts
/// and styles only from this server, no inline script, no inline handlers, no plugins, no framing),
/// nosniff, and no referrer. Blob responses tighten the policy further (see ArchiveApi).
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>For bytes from the archive: nothing may load or run, even if a browser is told to render them.</summary>
    public const string BlobPolicy = "default-src 'none'; img-src 'self'; style-src 'none'; sandbox";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
        => app.Use(async (http, next) =>
        {
            if (!Gateway.IsGatewayRequest(http))
            {
                var h = http.Response.Headers;
                h.ContentSecurityPolicy = PagePolicy;
                h.XContentTypeOptions = "nosniff";
                h["Referrer-Policy"] = "no-referrer";
                h.XFrameOptions = "DENY";
            }

            await next(http).ConfigureAwait(false);
        });
}

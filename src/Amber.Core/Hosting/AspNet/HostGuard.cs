using Amber.Core.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Amber.Core.Hosting.AspNet;

/// <summary>
/// The first check of every request on every route (viewer, API, log, gateway, local models): a
/// <c>Host</c> that names no accepted host gets 421 (DNS rebinding), a state-changing request from a
/// foreign <c>Origin</c> gets 403 (cross-site writes). See <see cref="HostPolicy"/>.
/// Compiled into both ASP.NET hosts (`amber serve` and `amber proxy`) as a linked source file, so the rule is written
/// once and Amber.Core itself needs no ASP.NET reference.
/// </summary>
internal static class HostGuard
{
    public static IApplicationBuilder UseHostGuard(this IApplicationBuilder app, HostPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return app.Use(async (http, next) =>
        {
            var request = http.Request;
            var origin = request.Headers.Origin.Count > 0 ? request.Headers.Origin.ToString() : null;
            var host = request.Headers.Host.ToString();
            switch (policy.Check(request.Method, host, origin, request.IsHttps))
            {
                case RequestVerdict.MisdirectedHost:
                    await RefuseAsync(http, StatusCodes.Status421MisdirectedRequest, policy.MisdirectedMessage(host)).ConfigureAwait(false);
                    return;
                case RequestVerdict.ForeignOrigin:
                    await RefuseAsync(http, StatusCodes.Status403Forbidden, HostPolicy.ForeignOriginMessage(origin!)).ConfigureAwait(false);
                    return;
                default:
                    await next(http).ConfigureAwait(false);
                    return;
            }
        });
    }

    private static Task RefuseAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(message, http.RequestAborted);
    }
}

using System.Text.Json.Nodes;
using Amber.Storage;
using Amber.Storage.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Pages;

/// <summary>
/// A conversation whose content this server cannot open (sealed until its trustees unseal it, shredded, or no key
/// provider) is answered as such on every route, page or API: 423 Locked (410 Gone once shredded) and a body that
/// says which, instead of a server error. Runs after the access check, so only a client allowed to read the
/// conversation learns that it is sealed.
/// </summary>
internal static class LockedContent
{
    public static IApplicationBuilder UseLockedContent(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        try
        {
            await next(http).ConfigureAwait(false);
        }
        catch (ContentLockedException e) when (!http.Response.HasStarted)
        {
            http.Response.Clear();
            var status = e.State == KeyState.Shredded ? StatusCodes.Status410Gone : StatusCodes.Status423Locked;
            var result = http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
                ? Results.Text(new JsonObject { ["error"] = e.Word, ["conversation"] = e.ConversationId, ["message"] = e.Message }.ToJsonString(), "application/json", statusCode: status)
                : PageLayout.Page(char.ToUpperInvariant(e.Word[0]) + e.Word[1..], w =>
                {
                    w.Element("h1", "This conversation is " + e.Word);
                    w.Element("p", e.Message);
                }, status);
            await result.ExecuteAsync(http).ConfigureAwait(false);
        }
    });
}

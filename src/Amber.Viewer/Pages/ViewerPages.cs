using Amber.Storage;
using Amber.Viewer.Rendering;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Amber.Viewer.Pages;

/// <summary>The viewer's HTML routes (the JSON they use is under /api, see docs/API.md).</summary>
public static class ViewerPages
{
    public static IEndpointRouteBuilder MapViewerPages(this IEndpointRouteBuilder app)
    {
        // Every page answers from the request's tenant alone (TenantView), so read tokens may open them.
        app.MapGet("/", (Archive archive, HttpRequest request) => ListPage.Render(TenantView.Of(request.HttpContext, archive), request)).AllowRead();
        app.MapGet("/conversations/{id}", (Archive archive, RenderCache cache, HttpContext http, string id, string? leaf) => ConversationPage.Render(TenantView.Of(http, archive), cache, id, leaf)).AllowRead();
        app.MapGet("/nodes/{id}", (Archive archive, RenderCache cache, HttpContext http, string id) => ConversationPage.Render(TenantView.Of(http, archive), cache, id, null)).AllowRead();
        app.MapGet("/models/{id}", (Archive archive, HttpContext http, string id) => ModelPage.Render(TenantView.Of(http, archive), id)).AllowRead();
        app.MapGet("/blobs/{id}", (Archive archive, HttpContext http, string id) => BlobPage.Render(TenantView.Of(http, archive), id)).AllowRead();
        app.MapGet("/receipts/{id}", (Archive archive, HttpContext http, string id) => ReceiptPage.Render(TenantView.Of(http, archive), id)).AllowRead();
        app.MapGet("/favicon.ico", () => Results.Redirect("/static/favicon.svg", permanent: true)).AllowRead();
        app.MapGet("/static/{**name}", (string name, HttpContext http) => StaticAssets.Serve(name, http)).AllowRead();
        return app;
    }
}

using Amber.Storage;
using Amber.Viewer.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Amber.Viewer.Pages;

/// <summary>The viewer's HTML routes (the JSON they use is under /api, see docs/API.md).</summary>
public static class ViewerPages
{
    public static IEndpointRouteBuilder MapViewerPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (Archive archive, HttpRequest request) => ListPage.Render(archive, request));
        app.MapGet("/conversations/{id}", (Archive archive, RenderCache cache, string id, string? leaf) => ConversationPage.Render(archive, cache, id, leaf));
        app.MapGet("/nodes/{id}", (Archive archive, RenderCache cache, string id) => ConversationPage.Render(archive, cache, id, null));
        app.MapGet("/models/{id}", (Archive archive, string id) => ModelPage.Render(archive, id));
        app.MapGet("/blobs/{id}", (Archive archive, string id) => BlobPage.Render(archive, id));
        app.MapGet("/receipts/{id}", (Archive archive, string id) => ReceiptPage.Render(archive, id));
        app.MapGet("/favicon.ico", () => Results.Redirect("/static/favicon.svg", permanent: true));
        app.MapGet("/static/{**name}", (string name, HttpContext http) => StaticAssets.Serve(name, http));
        return app;
    }
}

using System.Text.Json.Nodes;
using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Viewer.Rendering;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Amber.Viewer.Api;

/// <summary>The read-only JSON API over the archive. Shapes match the CLI's --json output (see docs/API.md).</summary>
public static class ArchiveApi
{
    private const int MaxPage = 500;

    public static IEndpointRouteBuilder MapArchiveApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/conversations", (Archive archive, HttpContext http, int? n, string? before, string? model, string? source, string? tier, string? from, string? to) =>
        {
            var limit = Math.Clamp(n ?? 50, 1, MaxPage);
            (string, string)? cursor = null;
            if (before is not null)
            {
                var bar = before.IndexOf('|', StringComparison.Ordinal);
                if (bar <= 0)
                {
                    return Json(400, Error("before must be CREATED|ID as given by next in a previous page"));
                }

                cursor = (before[..bar], before[(bar + 1)..]);
            }

            int? tierNumber = null;
            if (tier is not null)
            {
                if (tier.Length != 2 || tier[0] != 'T' || tier[1] is < '1' or > '4')
                {
                    return Json(400, Error("tier must be T1, T2, T3 or T4"));
                }

                tierNumber = tier[1] - '0';
            }

            var page = archive.PageConversations(limit, TenantView.Of(http, archive).Filter(new ConversationFilter(model, source, tierNumber, from, to)), cursor);
            var body = new JsonObject
            {
                ["conversations"] = new JsonArray(page.Select(s => (JsonNode)ReadingJson.Summary(s)).ToArray()),
                ["next"] = page.Count == limit ? $"{page[^1].Created}|{page[^1].Id}" : null,
            };
            return Json(body);
        }).AllowRead();
        api.MapGet("/conversations/{id}", (Archive archive, HttpContext http, string id) =>
        {
            var resolved = TenantView.Of(http, archive).Resolve(id);
            if (resolved.Kind != ResolvedKind.Conversation)
            {
                return Json(404, Error(resolved.Problem ?? $"{id} is not a conversation"));
            }

            var view = archive.GetConversation(resolved.Id);
            return view is null ? Json(404, Error("no such conversation")) : Json(ReadingJson.Conversation(view));
        }).AllowRead();
        api.MapGet("/conversations/{id}/raw", (Archive archive, HttpContext http, string id) =>
        {
            var resolved = TenantView.Of(http, archive).Resolve(id);
            var view = resolved.Kind == ResolvedKind.Conversation ? archive.GetConversation(resolved.Id) : null;
            if (view is null || view.Raw.Count == 0)
            {
                return Json(404, Error("no raw source kept for this conversation"));
            }

            return Results.Bytes(archive.GetBlob(view.Raw[0])!, "application/json"); // the oldest, as documented
        }).AllowRead();
        api.MapGet("/nodes/{id}", (Archive archive, HttpContext http, string id) =>
        {
            var scope = TenantView.Of(http, archive);
            var resolved = scope.Resolve(id);
            if (resolved.Kind != ResolvedKind.Node)
            {
                return Json(404, Error(resolved.Problem ?? $"{id} is not a node"));
            }

            var node = archive.GetNode(resolved.Id)!;
            var o = ReadingJson.Node(resolved.Id, node);
            o["conversations"] = new JsonArray(scope.ConversationsOf(resolved.Id).Select(c => (JsonNode)c).ToArray());
            return Json(o);
        }).AllowRead();
        api.MapGet("/blobs/{id}", (Archive archive, HttpContext http, string id, string? type, string? name, string? download) =>
        {
            var full = id.StartsWith("sha256:", StringComparison.Ordinal) ? id : "sha256:" + id;
            var bytes = TenantView.Of(http, archive).CanSee(full) ? archive.GetBlob(full) : null;
            if (bytes is null)
            {
                return Json(404, Error("no such blob"));
            }

            // Archive bytes never become active content: only raster images are shown inline, as the type the
            // message declared; everything else (HTML, SVG, scripts…) is a download under a sandboxing policy.
            var inline = ContentRenderer.IsInlineImage(type) && download is null;
            http.Response.Headers.ContentSecurityPolicy = SecurityHeaders.BlobPolicy;
            http.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue(inline ? "inline" : "attachment")
            {
                FileNameStar = SafeFileName(name ?? Urls.Hex(id)[..Math.Min(16, Urls.Hex(id).Length)] + ".bin"),
            }.ToString();
            return Results.Bytes(bytes, inline ? type!.ToLowerInvariant() : "application/octet-stream");
        }).AllowRead();
        api.MapGet("/search", (Archive archive, HttpContext http, string? q, int? n, string? order) =>
        {
            if (string.IsNullOrWhiteSpace(q))
            {
                return Json(400, Error("q is required"));
            }

            SearchOrder? parsed = order switch
            {
                null or "" or "rank" => SearchOrder.Rank,
                "newest" => SearchOrder.Newest,
                _ => null,
            };
            if (parsed is not { } searchOrder)
            {
                return Json(400, Error("order must be rank or newest"));
            }

            var hits = TenantView.Of(http, archive).Search(q, Math.Clamp(n ?? 50, 1, MaxPage), searchOrder, "«", "»", 24);
            return Json(new JsonObject { ["query"] = q, ["order"] = searchOrder == SearchOrder.Newest ? "newest" : "rank", ["hits"] = new JsonArray(hits.Select(h => (JsonNode)ReadingJson.Hit(h)).ToArray()) });
        }).AllowRead();
        // Whole-archive counts and sizes: admin only (not marked AllowRead).
        api.MapGet("/stats", (Archive archive) => Json(ReadingJson.Stats(archive.GetStats())));
        return app;
    }

    /// <summary>A download name without path separators or control characters.</summary>
    private static string SafeFileName(string name)
    {
        var chars = name.Select(c => char.IsControl(c) || c is '/' or '\\' or '"' ? '_' : c).Take(120).ToArray();
        var s = new string(chars).Trim('.', ' ');
        return s.Length == 0 ? "blob.bin" : s;
    }

    private static JsonObject Error(string message) => new() { ["error"] = message };

    private static IResult Json(int status, JsonNode node) => Json(node, status);

    private static IResult Json(JsonNode node, int status = 200) => Results.Text(ReadingJson.Serialize(node), "application/json; charset=utf-8", statusCode: status);
}

using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Transparency.Tiles;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Amber.Viewer.Api;

/// <summary>
/// The transparency log over HTTP, per C2SP tlog-tiles (so existing clients and witnesses can follow it),
/// and each instance's receipt.
/// </summary>
public static class LogApi
{
    public static IEndpointRouteBuilder MapLogApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/checkpoint", (Archive archive, HttpContext http) =>
        {
            archive.RefreshLog();
            if (archive.Log.LatestCheckpoint is not { } note)
            {
                return Results.NotFound();
            }

            http.Response.Headers.CacheControl = "no-store";
            return Results.Text(note.Format(), "text/plain; charset=utf-8");
        });
        app.MapGet("/tile/{**path}", (Archive archive, HttpContext http, string path) =>
        {
            archive.RefreshLog();
            if (!TilePath.TryParse("tile/" + path, out var tile))
            {
                return Results.NotFound();
            }

            byte[]? body = tile.IsEntryBundle ? EntryBundle(archive, tile) : archive.Log.HashTile(tile);
            if (body is null)
            {
                return Results.NotFound();
            }

            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return Results.Bytes(body, "application/octet-stream");
        });
        // The checkpoint and tiles above cover every tenant's commits: admin only. A receipt is its instance's tenant's.
        app.MapGet("/receipt/{id}", (Archive archive, HttpContext http, string id) =>
        {
            try
            {
                var scope = TenantView.Of(http, archive);
                if (scope.Tenant is not null && scope.Resolve(id) is { Kind: ResolvedKind.None } missing)
                {
                    throw new InvalidOperationException($"{id}: {missing.Problem}.");
                }

                var receipt = archive.GetReceipt(id);
                var stem = id.Replace("sha256:", "", StringComparison.Ordinal);
                return Results.File(receipt.ToBytes(), "text/plain; charset=utf-8", $"{stem[..Math.Min(16, stem.Length)]}{Amber.Transparency.Receipts.TlogProof.FileExtension}");
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                return Results.Text("{\"error\":" + System.Text.Json.JsonSerializer.Serialize(e.Message) + "}", "application/json", statusCode: 404);
            }
        }).AllowRead();
        return app;
    }

    private static byte[]? EntryBundle(Archive archive, TilePath tile)
    {
        var size = archive.Log.LatestCheckpointSize;
        var width = TilePath.WidthAt(0, tile.Index, size);
        if (width == 0 || tile.Width > width)
        {
            return null;
        }

        var entries = new List<ReadOnlyMemory<byte>>();
        for (var i = 0; i < tile.Width; i++)
        {
            var entry = archive.GetLogEntry((tile.Index * TilePath.FullWidth) + i);
            if (entry is null)
            {
                return null;
            }

            entries.Add(entry);
        }

        return TileBuilder.BuildEntryBundle(entries);
    }
}

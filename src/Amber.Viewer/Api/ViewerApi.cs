using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Viewer.Charts;
using Amber.Viewer.Receipts;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Amber.Viewer.Api;

/// <summary>The JSON behind the viewer's pages that the archive API did not already have (docs/API.md).</summary>
public static class ViewerApi
{
    public static IEndpointRouteBuilder MapViewerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/models", (Archive archive, HttpContext http) => Json(new JsonObject
        {
            ["models"] = new JsonArray(TenantView.Of(http, archive).ListModels().Select(m => (JsonNode)Model(m.Id, m.Model, m.Turns)).ToArray()),
        })).AllowRead();
        api.MapGet("/models/{id}", (Archive archive, HttpContext http, string id) =>
        {
            var full = id.StartsWith("sha256:", StringComparison.Ordinal) ? id : "sha256:" + id;
            return TenantView.Of(http, archive).CanSee(full) && archive.GetModel(full) is { } m ? Json(Model(full, m, null)) : Json(Error("no such model reference"), 404);
        }).AllowRead();
        // The dashboard covers the whole archive: admin only (not marked AllowRead).
        api.MapGet("/dashboard", (Archive archive, ChartCache charts) =>
        {
            var (d, stats) = charts.Data(archive);
            archive.RefreshLog();
            var o = new JsonObject
            {
                ["stats"] = ReadingJson.Stats(stats),
                ["conversations_by_month"] = Series(d.ConversationsByMonth),
                ["instances_by_month"] = Series(d.InstancesByMonth),
                ["stored_bytes_by_month"] = Series(d.StoredBytesByMonth),
                ["raw_bytes_by_month"] = Series(d.RawBytesByMonth),
                ["conversations_by_source"] = new JsonObject(d.ConversationsBySource.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                ["last_seq"] = d.LastSequence,
                ["checkpoint"] = archive.Log.LatestCheckpoint is { } note ? Checkpoint(note.Text, note.Format()) : null,
            };
            return Json(o);
        });
        api.MapGet("/receipts/{id}", (Archive archive, HttpContext http, string id) =>
        {
            var check = ReceiptCheck.For(TenantView.Of(http, archive), id);
            var o = new JsonObject
            {
                ["id"] = id,
                ["valid"] = check.Valid,
                ["index"] = check.Index,
                ["checkpoint_size"] = check.CheckpointSize,
                ["origin"] = check.Origin,
                ["failure"] = check.Failure,
                ["receipt"] = check.Receipt?.Format(),
            };
            return Json(o, check.Receipt is null ? 404 : 200);
        }).AllowRead();
        api.MapGet("/tiers/{id}", (Archive archive, HttpContext http, string id) =>
        {
            var scope = TenantView.Of(http, archive);
            var resolved = scope.Resolve(id);
            if (resolved.Kind != ResolvedKind.Node)
            {
                return Json(Error(resolved.Problem ?? $"{id} is not a node"), 404);
            }

            var owners = scope.ConversationsOf(resolved.Id);
            var node = archive.GetNode(resolved.Id)!;
            var model = node.Generation is { } g ? archive.GetModel(g.Model) : null;
            var tier = TierGrader.Grade(node, model);
            var o = new JsonObject
            {
                ["node"] = resolved.Id,
                ["tier"] = tier.ToString(),
                ["next"] = TierExplanation.Next(tier)?.ToString(),
                ["missing"] = TierExplanation.Next(tier) is { } next ? new JsonArray(TierExplanation.MissingFor(node, model, next).Select(s => (JsonNode)s).ToArray()) : new JsonArray(),
            };
            if (owners.Count > 0 && archive.GetConversation(owners[0]) is { } view)
            {
                var path = view.Tree.PathTo(resolved.Id).Select(p => p.Node).ToList();
                ModelReference? Lookup(string m) => view.Models.TryGetValue(m, out var r) ? r : null;
                var pathTier = TierGrader.GradePath(path, Lookup);
                o["instance_tier"] = pathTier.ToString();
                o["instance_missing"] = new JsonArray(TierExplanation.ForPath(path, Lookup).Select(x => (JsonNode)new JsonObject
                {
                    ["turn"] = x.Index + 1,
                    ["node"] = view.Tree.PathTo(resolved.Id)[x.Index].Id,
                    ["missing"] = new JsonArray(x.Missing.Select(s => (JsonNode)s).ToArray()),
                }).ToArray());
            }

            return Json(o);
        }).AllowRead();
        return app;
    }

    private static JsonObject Model(string id, ModelReference m, long? turns)
    {
        var o = new JsonObject { ["id"] = id, ["display_name"] = m.DisplayName, ["record"] = m.ToJson() };
        if (turns is not null)
        {
            o["turns"] = turns;
        }

        return o;
    }

    private static JsonObject Checkpoint(string text, string note)
    {
        var c = Amber.Transparency.Checkpoints.Checkpoint.Parse(text);
        return new JsonObject { ["origin"] = c.Origin, ["size"] = c.Size, ["root"] = Convert.ToBase64String(c.RootHash.Span), ["note"] = note };
    }

    private static JsonArray Series(IReadOnlyList<MonthCount> series)
        => new(series.Select(m => (JsonNode)new JsonObject { ["month"] = m.Month, ["value"] = m.Value }).ToArray());

    private static JsonObject Error(string message) => new() { ["error"] = message };

    private static IResult Json(JsonNode node, int status = 200) => Results.Text(ReadingJson.Serialize(node), "application/json; charset=utf-8", statusCode: status);
}

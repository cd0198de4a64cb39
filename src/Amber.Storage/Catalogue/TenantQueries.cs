using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Reading;

namespace Amber.Storage.Catalogue;

/// <summary>The tenant-scoped lookups that the other queries do not already take a tenant for (see <see cref="TenantFilter"/>).</summary>
internal sealed class TenantQueries(ArchiveCatalogue catalogue)
{
    /// <summary>True when <paramref name="id"/>, a full conversation, node, blob or model id, names something of <paramref name="tenant"/>.</summary>
    public bool IsVisible(string id, string tenant)
    {
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT EXISTS (SELECT 1 FROM conversations cv WHERE cv.id = $id AND {TenantFilter.Conversation("cv.k")})
                OR EXISTS (SELECT 1 FROM nodes n WHERE {IndexIds.IdIs("nodes", "$id")} AND {TenantFilter.Node("n.k")})
                OR EXISTS (SELECT 1 FROM blobs b WHERE b.id = $id AND {TenantFilter.Blob("b.k", "b.seq")})
                OR EXISTS (SELECT 1 FROM models m WHERE m.id = $id AND {TenantFilter.Model("m.k")})
            """;
        cmd.Parameters.AddWithValue("$id", IndexIds.ToKey(id));
        cmd.Parameters.AddWithValue(TenantFilter.Parameter, tenant);
        return cmd.ExecuteScalar() is long l && l != 0;
    }

    /// <summary>The display names of the models that generated nodes of the tenant's conversations, sorted.</summary>
    public IReadOnlyList<string> ListModelNames(string tenant)
    {
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT DISTINCT m.name FROM models m WHERE {TenantFilter.Model("m.k")} ORDER BY m.name";
        cmd.Parameters.AddWithValue(TenantFilter.Parameter, tenant);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read())
        {
            list.Add(r.GetString(0));
        }

        return list;
    }

    /// <summary>The models of the tenant's conversations with the number of the tenant's nodes each generated, most used first.</summary>
    public IReadOnlyList<ModelSummary> ListModels(string tenant)
    {
        using var c = catalogue.OpenAcknowledged();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"""
            SELECT m.id, m.record, COUNT(*) AS turns
            FROM nodes n JOIN models m ON m.k = n.model
            WHERE {TenantFilter.Node("n.k")}
            GROUP BY m.k ORDER BY turns DESC, m.name, m.id
            """;
        cmd.Parameters.AddWithValue(TenantFilter.Parameter, tenant);
        using var r = cmd.ExecuteReader();
        var list = new List<ModelSummary>();
        while (r.Read())
        {
            list.Add(new ModelSummary(IndexIds.Read(r, 0), ModelReference.FromJson((JsonObject)JsonNode.Parse(r.GetString(1))!), r.GetInt64(2)));
        }

        return list;
    }
}

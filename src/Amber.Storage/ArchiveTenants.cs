using Amber.Storage.Catalogue;
using Amber.Storage.Reading;

namespace Amber.Storage;

/// <summary>
/// The reads a tenant-scoped access token makes (docs/ARCHITECTURE.md, "Access"): each is a catalogue query with the
/// tenant's condition (<see cref="TenantFilter"/>) inside it, so what another tenant holds never leaves the index. The
/// conversation list takes the tenant through <see cref="ConversationFilter.Tenant"/>.
/// </summary>
public static class ArchiveTenants
{
    /// <summary>True when <paramref name="id"/> (a full conversation, node, blob or model id) names something of <paramref name="tenant"/>.</summary>
    public static bool IsVisibleTo(this Archive archive, string id, string tenant)
    {
        ArgumentNullException.ThrowIfNull(archive);
        return archive.ReadCatalogue(c => new TenantQueries(c).IsVisible(id, tenant));
    }

    /// <summary>As <see cref="Archive.Search"/>, over the messages of <paramref name="tenant"/>'s conversations only.</summary>
    public static IReadOnlyList<SearchHit> SearchTenant(this Archive archive, string tenant, string query, int limit, SearchOrder order, string open, string close, int snippetTokens)
    {
        ArgumentNullException.ThrowIfNull(archive);
        return archive.ReadCatalogue(c => c.FullText.Search(query, limit, order, open, close, snippetTokens, tenant));
    }

    /// <summary>As <see cref="Archive.ListModelNames()"/>, for the models of <paramref name="tenant"/>'s conversations.</summary>
    public static IReadOnlyList<string> ListModelNames(this Archive archive, string tenant)
    {
        ArgumentNullException.ThrowIfNull(archive);
        return archive.ReadCatalogue(c => new TenantQueries(c).ListModelNames(tenant));
    }

    /// <summary>As <see cref="Archive.ListModels()"/>, counting <paramref name="tenant"/>'s nodes only.</summary>
    public static IReadOnlyList<ModelSummary> ListModels(this Archive archive, string tenant)
    {
        ArgumentNullException.ThrowIfNull(archive);
        return archive.ReadCatalogue(c => new TenantQueries(c).ListModels(tenant));
    }
}

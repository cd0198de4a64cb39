using Amber.Storage.Catalogue;
using Amber.Storage.Reading;

namespace Amber.Storage;

/// <summary>
/// The reads a tenant-scoped access token makes (see docs/ARCHITECTURE.md, "Access"): each is a catalogue query with the
/// tenant's condition (<see cref="TenantFilter"/>) inside it, so what another tenant holds never leaves the index. The
/// conversation list takes the tenant through <see cref="ConversationFilter.Tenant"/>.
/// </summary>
public sealed partial class Archive
{
    /// <summary>True when <paramref name="id"/> (a full conversation, node, blob or model id) names something of <paramref name="tenant"/>.</summary>
    public bool IsVisibleTo(string id, string tenant)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(tenant);
        return Reading(() => new TenantQueries(catalogue).IsVisible(id, tenant));
    }

    /// <summary>As <see cref="Search"/>, over the messages of <paramref name="tenant"/>'s conversations only.</summary>
    public IReadOnlyList<SearchHit> SearchTenant(string tenant, string query, int limit, SearchOrder order, string open, string close, int snippetTokens)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return Reading(() => catalogue.FullText.Search(query, limit, order, open, close, snippetTokens, tenant));
    }

    /// <summary>As <see cref="ListModelNames()"/>, for the models of <paramref name="tenant"/>'s conversations.</summary>
    public IReadOnlyList<string> ListModelNames(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return Reading(() => new TenantQueries(catalogue).ListModelNames(tenant));
    }

    /// <summary>As <see cref="ListModels()"/>, counting <paramref name="tenant"/>'s nodes only.</summary>
    public IReadOnlyList<ModelSummary> ListModels(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return Reading(() => new TenantQueries(catalogue).ListModels(tenant));
    }
}

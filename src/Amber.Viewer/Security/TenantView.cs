using Amber.Storage;
using Amber.Storage.Reading;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Security;

/// <summary>
/// The archive as one request may see it: everything for an admin (or an open server), one tenant's data for a read
/// token. Handlers resolve ids and list through it; the filtering itself is the catalogue's (Archive.Tenants.cs), and
/// something of another tenant answers exactly as a missing id does.
/// </summary>
public sealed class TenantView(Archive archive, string? tenant)
{
    /// <summary>What storage says for an id that names nothing; another tenant's ids get the same words.</summary>
    public const string NoSuchId = "no conversation or node has this id";

    /// <summary>The view of the request's grant (<see cref="AccessGrant.ReadTenant"/>).</summary>
    public static TenantView Of(HttpContext http, Archive archive)
    {
        ArgumentNullException.ThrowIfNull(http);
        return new TenantView(archive, AccessGrant.Of(http).ReadTenant);
    }

    /// <summary>The tenant this view is limited to; null for every tenant.</summary>
    public string? Tenant => tenant;

    public Archive Archive => archive;

    /// <summary>True when the full id (conversation, node, blob or model) may be shown.</summary>
    public bool CanSee(string id) => tenant is null || archive.IsVisibleTo(id, tenant);

    /// <summary>As <see cref="Archive.Resolve"/>; another tenant's id, or a prefix it shares with one, resolves to nothing.</summary>
    public ResolvedId Resolve(string idOrPrefix)
    {
        var resolved = archive.Resolve(idOrPrefix);
        if (tenant is null)
        {
            return resolved;
        }

        var hidden = resolved.Kind == ResolvedKind.None ? resolved.Problem?.Contains("ambiguous", StringComparison.Ordinal) == true : !CanSee(resolved.Id);
        return hidden ? new ResolvedId(ResolvedKind.None, idOrPrefix, NoSuchId) : resolved;
    }

    /// <summary>The filter limited to this view's tenant.</summary>
    public ConversationFilter Filter(ConversationFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return tenant is null ? filter : filter with { Tenant = tenant };
    }

    public IReadOnlyList<SearchHit> Search(string query, int limit, SearchOrder order, string open, string close, int snippetTokens)
        => tenant is null ? archive.Search(query, limit, order, open, close, snippetTokens) : archive.SearchTenant(tenant, query, limit, order, open, close, snippetTokens);

    /// <summary>The conversations holding the node that this view may see.</summary>
    public IReadOnlyList<string> ConversationsOf(string nodeId)
        => tenant is null ? archive.ConversationsOf(nodeId) : [.. archive.ConversationsOf(nodeId).Where(CanSee)];

    public IReadOnlyList<string> ListModelNames() => tenant is null ? archive.ListModelNames() : archive.ListModelNames(tenant);

    public IReadOnlyList<ModelSummary> ListModels() => tenant is null ? archive.ListModels() : archive.ListModels(tenant);
}

using Microsoft.AspNetCore.Builder;

namespace Amber.Viewer.Security;

/// <summary>
/// Marks the endpoints a <c>read</c> token may reach: each answers from its tenant's data alone (<see cref="TenantView"/>).
/// An endpoint without the mark needs an <c>admin</c> token, so a new route is closed to tenants until it is scoped.
/// </summary>
public static class ReadRoute
{
    public static readonly object Marker = new ReadRouteMarker();

    /// <summary>Opens the endpoint(s) to read tokens.</summary>
    public static TBuilder AllowRead<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(Marker);
    }

    private sealed class ReadRouteMarker;
}

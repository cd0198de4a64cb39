using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Security;

/// <summary>What the token a request carried allows: its scope and tenant, and which token (null for the server's own <c>--token</c>).</summary>
public sealed record AccessGrant(TokenScope Scope, string? Tenant, string? TokenId)
{
    private static readonly object Key = new();

    /// <summary>What a request may see when the server requires no token and none was given: everything.</summary>
    public static AccessGrant Open { get; } = new(TokenScope.Admin, null, null);

    /// <summary>The tenant whose data alone this grant may read, or null for every tenant (admin).</summary>
    public string? ReadTenant => Scope == TokenScope.Admin ? null : Tenant;

    /// <summary>The grant the access check gave this request (<see cref="Open"/> when there is no check).</summary>
    public static AccessGrant Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Items.TryGetValue(Key, out var g) && g is AccessGrant grant ? grant : Open;
    }

    internal void Attach(HttpContext http) => http.Items[Key] = this;
}

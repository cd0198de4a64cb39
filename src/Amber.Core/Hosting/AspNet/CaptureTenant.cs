using Microsoft.AspNetCore.Http;

namespace Amber.Core.Hosting.AspNet;

/// <summary>
/// The tenant a request's capture token names, handed from the server's access check to the gateway and the OTLP
/// receiver (which do not know about tokens). When it is set, captured calls land in it; otherwise the gateway falls
/// back to the keyed hash of the provider credential. Shared source, like HostGuard: each project compiles its own
/// copy, so the hand-off is by a string key in <see cref="HttpContext.Items"/>.
/// </summary>
internal static class CaptureTenant
{
    /// <summary>The header that carries an Amber token on <c>/v1</c>, where <c>Authorization</c> is the provider's key.</summary>
    public const string Header = "Amber-Token";

    private const string Key = "Amber.CaptureTenant";

    public static void Set(HttpContext http, string tenant)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        http.Items[Key] = tenant;
    }

    /// <summary>The tenant set for this request, or null.</summary>
    public static string? Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Items.TryGetValue(Key, out var t) ? t as string : null;
    }
}

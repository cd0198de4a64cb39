using Amber.Core.Hosting;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Security;

/// <summary>
/// Which requests the gateway (or the local model host) owns. The viewer leaves them alone: the gateway
/// authenticates upstream. Decided by the route the request will take, so no spelling of the path
/// (<c>/V1</c>, <c>//v1</c>, percent-escapes) can reach the gateway as a viewer request or the reverse.
/// </summary>
public static class Gateway
{
    public static bool IsGatewayRequest(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var endpoint = http.GetEndpoint();
        return endpoint is null
            ? GatewayRoute.IsGatewayPath(http.Request.Path.Value) // only middleware in front of the endpoints (local models) can answer it
            : endpoint.Metadata.Contains(GatewayRoute.EndpointMarker);
    }
}

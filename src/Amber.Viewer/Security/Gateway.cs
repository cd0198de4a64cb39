using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Security;

/// <summary>The paths the gateway owns. The viewer leaves them alone: the gateway authenticates upstream.</summary>
public static class Gateway
{
    public static bool IsGatewayPath(PathString path) => path.StartsWithSegments("/v1", StringComparison.Ordinal);
}

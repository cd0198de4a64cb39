using Amber.Core.Hosting;
using Amber.Viewer.Charts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Amber.Viewer;

/// <summary>
/// What `amber serve` composes onto its one port. The viewer and JSON API are always mapped; the
/// gateway, the local model host and anything else join through <see cref="Services"/> and
/// <see cref="Endpoints"/>, so this project does not depend on them.
/// </summary>
public sealed record AmberServerOptions
{
    /// <summary>HOST:PORT; port 0 picks a free one.</summary>
    public string Listen { get; init; } = "127.0.0.1:8080";

    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxRequestBodySize { get; init; } = 64L << 20;

    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>Console log format and OTLP export (/metrics, /healthz and /readyz are always served).</summary>
    public TelemetrySettings? Telemetry { get; init; }

    /// <summary>
    /// The server's own token (`amber serve --token`): an admin token of no tenant. When set, every route but /healthz
    /// and /readyz needs a token (see Security/AccessCheck). Off loopback this or <see cref="Tokens"/> is required.
    /// </summary>
    public string? AccessToken { get; init; }

    /// <summary>The archive's scoped tokens (`amber token create`); null when only <see cref="AccessToken"/> opens the server.</summary>
    public Security.TokenStore? Tokens { get; init; }

    /// <summary>Require a token on loopback too (`amber serve --require-token`); always so off loopback.</summary>
    public bool RequireToken { get; init; }

    /// <summary>
    /// Host names besides the loopback ones (and the listen address) that requests may name in <c>Host</c>:
    /// the public names of a reverse proxy, or of this machine (`amber serve --host-name`). See Core's HostPolicy.
    /// </summary>
    public IReadOnlyList<string> HostNames { get; init; } = [];

    /// <summary>Inference and storage prices for the dashboard's cost panel.</summary>
    public CostPricing Cost { get; init; } = CostPricing.Default;

    /// <summary>Registrations added before the host is built.</summary>
    public IList<Action<IServiceCollection>> Services { get; init; } = [];

    /// <summary>Endpoint mappings added after the viewer's own.</summary>
    public IList<Action<IEndpointRouteBuilder>> Endpoints { get; init; } = [];
}

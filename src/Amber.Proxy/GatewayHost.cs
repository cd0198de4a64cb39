using System.Net;
using Amber.Core.Hosting;
using Amber.Core.Hosting.AspNet;
using Amber.Proxy.Forwarding;
using Amber.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Amber.Proxy;

/// <summary>The host of <c>amber proxy</c>: the gateway alone (routes under /v1, plus /healthz, /readyz and, to loopback clients only, /metrics) on one port. <c>amber serve</c> composes the same services and routes onto its own host.</summary>
public static class GatewayHost
{
    /// <summary>Creates the host. <paramref name="hostNames"/> are the names besides loopback ones that requests may give in <c>Host</c> (<c>--host-name</c>).</summary>
    /// <remarks>amber proxy has no access token, so /metrics answers only connections from loopback, wherever it listens.</remarks>
    public static WebApplication Build(Archive archive, string listen, GatewayOptions options, long maxRequestBodySize = 64L << 20, IReadOnlyList<string>? hostNames = null, TelemetrySettings? telemetry = null, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var endpoint = ParseListen(listen);
        var hosts = new HostPolicy(endpoint, hostNames);
        var builder = Amber.Core.Hosting.AspNet.AmberWebHost.CreateBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.AddAmberTelemetry(telemetry);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(endpoint);
            k.Limits.MaxRequestBodySize = maxRequestBodySize;
            k.AddServerHeader = false; // the client sees the upstream's headers, not Kestrel's
        });
        builder.Services.AddSingleton(archive);
        builder.Services.AddAmberGateway(options);
        var app = builder.Build();
        app.UseHostGuard(hosts);
        app.UseAmberMetrics(loopbackOnly: true);
        app.MapAmberHealth(archive);
        app.MapAmberGateway();
        return app;
    }

    /// <summary>HOST:PORT with an IP address or localhost; port 0 picks a free one (<see cref="ListenAddress.Parse"/>).</summary>
    public static IPEndPoint ParseListen(string listen) => ListenAddress.Parse(listen);
}

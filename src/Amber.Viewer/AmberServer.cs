using System.Net;
using Amber.Core.Hosting;
using Amber.Core.Hosting.AspNet;
using Amber.Storage;
using Amber.Viewer.Api;
using Amber.Viewer.Charts;
using Amber.Viewer.Pages;
using Amber.Viewer.Rendering;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Amber.Viewer;

/// <summary>Builds the one HTTP host that `amber serve` runs: JSON API and viewer, with the gateway and local model host composed onto the same port.</summary>
public static class AmberServer
{
    /// <summary>Creates the host. <paramref name="listen"/> is HOST:PORT; port 0 picks a free one.</summary>
    public static WebApplication Build(Archive archive, string listen, Action<ILoggingBuilder>? logging = null)
        => Build(archive, new AmberServerOptions { Listen = listen, Logging = logging });

    /// <summary>Creates the host with the viewer, the JSON API and whatever <paramref name="options"/> adds.</summary>
    public static WebApplication Build(Archive archive, AmberServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = ParseListen(options.Listen);
        var builder = Amber.Core.Hosting.AspNet.AmberWebHost.CreateBuilder();
        builder.Logging.ClearProviders();
        options.Logging?.Invoke(builder.Logging);
        builder.AddAmberTelemetry(options.Telemetry);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(endpoint);
            k.Limits.MaxRequestBodySize = options.MaxRequestBodySize;
        });
        var offLoopback = !IPAddress.IsLoopback(endpoint.Address);
        if (offLoopback && string.IsNullOrEmpty(options.AccessToken) && options.Tokens is null)
        {
            throw new InvalidOperationException($"Listening on {endpoint.Address}, which other machines can reach, needs an access token (AmberServerOptions.AccessToken; `amber serve --token`) or the archive's tokens (AmberServerOptions.Tokens).");
        }

        if (options.RequireToken && string.IsNullOrEmpty(options.AccessToken) && options.Tokens is null)
        {
            throw new InvalidOperationException("RequireToken needs tokens to accept: AmberServerOptions.AccessToken or AmberServerOptions.Tokens.");
        }

        if (!string.IsNullOrEmpty(options.AccessToken) && AccessToken.Problem(options.AccessToken) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var hosts = new HostPolicy(endpoint, options.HostNames);

        builder.Services.AddSingleton(archive);
        builder.Services.AddSingleton(new RenderCache());
        builder.Services.AddSingleton(new ChartCache());
        builder.Services.AddSingleton(options.Cost);
        foreach (var add in options.Services)
        {
            add(builder.Services);
        }

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseHostGuard(hosts);
        var required = offLoopback || options.RequireToken || !string.IsNullOrEmpty(options.AccessToken);
        if (required || options.Tokens is not null)
        {
            app.UseAccessCheck(new AccessOptions(string.IsNullOrEmpty(options.AccessToken) ? null : options.AccessToken, options.Tokens, required));
        }

        app.UseLockedContent();

        // Behind an admin token when tokens are required (always off loopback): metrics name models, sources and volumes.
        app.UseAmberMetrics(loopbackOnly: false);
        app.MapAmberHealth(archive);

        app.MapArchiveApi();
        app.MapLogApi();
        app.MapViewerApi();
        app.MapViewerPages();
        app.MapDashboard();
        foreach (var map in options.Endpoints)
        {
            map(app);
        }

        return app;
    }

    /// <summary>HOST:PORT with an IP address or localhost; port 0 picks a free one (<see cref="ListenAddress.Parse"/>).</summary>
    public static IPEndPoint ParseListen(string listen) => ListenAddress.Parse(listen);
}

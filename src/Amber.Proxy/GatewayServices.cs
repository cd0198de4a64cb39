using Amber.Capture;
using Amber.Core.Hosting;
using Amber.Proxy.Otlp;
using Amber.Proxy.Spooling;
using Amber.Proxy.Tenancy;
using Amber.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Amber.Proxy;

/// <summary>Composes the gateway onto an ASP.NET Core host (amber proxy, amber serve): services, then the /v1 routes.</summary>
public static class GatewayServices
{
    /// <summary>Registers the gateway over the host's <see cref="Archive"/> singleton. With <see cref="AckMode.Async"/> the spool starts draining when the host starts.</summary>
    public static IServiceCollection AddAmberGateway(this IServiceCollection services, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton(sp => new ConversationRecorder(sp.GetRequiredService<Archive>(), options.TimeProvider));
        services.AddSingleton(sp => new ArchiveSink(sp.GetRequiredService<Archive>(), sp.GetRequiredService<ConversationRecorder>()));
        services.AddSingleton<IExchangeSink>(sp =>
        {
            var archive = sp.GetRequiredService<Archive>();
            return options.Ack == AckMode.Async
                ? new ExchangeSpool(archive.Directory, options.FileSystem, sp.GetRequiredService<ArchiveSink>(), options.TimeProvider, Logger<ExchangeSpool>(sp))
                : sp.GetRequiredService<ArchiveSink>();
        });
        services.AddSingleton(sp => TenantHasher.ForArchive(sp.GetRequiredService<Archive>().Directory, options.FileSystem, options.Random));
        services.AddSingleton(sp => new Gateway(options, sp.GetRequiredService<IExchangeSink>(), sp.GetRequiredService<TenantHasher>(), Logger<Gateway>(sp)));
        services.AddSingleton(sp => new OtlpReceiver(options, sp.GetRequiredService<ConversationRecorder>(), sp.GetRequiredService<IExchangeSink>(), sp.GetRequiredService<TenantHasher>()));
        services.AddHostedService<GatewayStartup>();
        return services;
    }

    /// <summary>Maps every method under <c>/v1</c> to the gateway (captured routes and pass-through alike), and <c>/v1/traces</c> to the OTLP receiver (never forwarded).</summary>
    public static IEndpointRouteBuilder MapAmberGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var gateway = endpoints.ServiceProvider.GetRequiredService<Gateway>();
        endpoints.Map("/v1/{**rest}", (RequestDelegate)gateway.HandleAsync).WithMetadata(GatewayRoute.EndpointMarker);
        var otlp = endpoints.ServiceProvider.GetRequiredService<OtlpReceiver>();
        endpoints.Map(OtlpReceiver.Route, (RequestDelegate)otlp.HandleAsync).WithMetadata(GatewayRoute.EndpointMarker);
        return endpoints;
    }

    private static ILogger Logger<T>(IServiceProvider sp) => (ILogger?)sp.GetService<ILoggerFactory>()?.CreateLogger<T>() ?? NullLogger.Instance;

    /// <summary>Builds the gateway (tenant key, spool and its leftovers) when the host starts, not at the first call.</summary>
    private sealed class GatewayStartup(Gateway gateway) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(gateway);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

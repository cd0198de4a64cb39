using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Amber.Benchmarks;

/// <summary>The gateway benches' fake upstreams on a free loopback port, without logging.</summary>
public static class FakeUpstreamHost
{
    /// <summary>
    /// Serves <paramref name="answer"/> at POST /v1/chat/completions and at /v1/uncaptured/chat/completions, a path the
    /// gateway only passes through, to separate forwarding from capture.
    /// </summary>
    public static async Task<WebApplication> StartAsync(RequestDelegate answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/v1/uncaptured/chat/completions", answer);
        app.MapPost("/v1/chat/completions", answer);
        await app.StartAsync();
        return app;
    }
}

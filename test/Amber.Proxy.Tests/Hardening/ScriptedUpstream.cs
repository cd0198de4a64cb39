using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Amber.Proxy.Tests.Hardening;

/// <summary>A real Kestrel upstream on loopback whose every answer is written by the test (echoing keys, resetting before headers…).</summary>
public sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly WebApplication app;

    private ScriptedUpstream(WebApplication app) => this.app = app;

    public Uri Url => new(app.Urls.First());

    /// <summary>How many requests reached the upstream.</summary>
    public int Received => received;

    private int received;

    public static async Task<ScriptedUpstream> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new ScriptedUpstream(app);
        app.Run(async context =>
        {
            Interlocked.Increment(ref upstream.received);
            await handler(context);
        });
        await app.StartAsync();
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

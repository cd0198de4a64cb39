using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Amber.Capture.Sample;

/// <summary>A stand-in for the OpenAI API on 127.0.0.1 (a free port): answers Chat Completions with a fixed reply.</summary>
internal sealed class LocalOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private LocalOpenAiServer(WebApplication app) => this.app = app;

    /// <summary>The base URL the OpenAI client takes as its endpoint (…/v1).</summary>
    public Uri Endpoint => new(app.Urls.First() + "/v1");

    public static async Task<LocalOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", () => Results.Text("""
            {"id":"chatcmpl-sample","object":"chat.completion","created":1767225600,"model":"gpt-4o-mini-2024-07-18",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Amber is fossilized tree resin."},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}
            """, "application/json"));
        await app.StartAsync().ConfigureAwait(false);
        return new LocalOpenAiServer(app);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

using System.Collections.Concurrent;
using System.Text;
using Amber.Core.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using OpenAI.Chat;

namespace Amber.Proxy.Tests.Telemetry;

/// <summary>With an OTLP endpoint set, the gateway's spans reach a real OTLP/HTTP receiver on loopback.</summary>
public sealed class OtlpExportTests : GatewayTestBase
{
    [Fact]
    public async Task CaptureSpans_AreExported_ToTheConfiguredOtlpEndpoint()
    {
        var received = new ConcurrentQueue<(string Path, string? ContentType, byte[] Body)>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            received.Enqueue((http.Request.Path.Value!, http.Request.ContentType, body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync(Ct);

        await StopGatewayAsync();
        Host = GatewayHost.Build(Archive, "127.0.0.1:0", Options(), telemetry: new TelemetrySettings { OtlpEndpoint = new Uri(collector.Urls.First()) });
        await Host.StartAsync(Ct);
        Upstream.Answer("Paris.");
        await Chat().CompleteChatAsync([new UserChatMessage("Capital of France?")], cancellationToken: Ct);

        // Stopping the host disposes the tracer provider, which flushes the batch of spans.
        await Host.StopAsync(Ct);
        await Host.DisposeAsync();
        Host = GatewayHost.Build(Archive, "127.0.0.1:0", Options());
        await Host.StartAsync(Ct);

        var traces = received.Where(r => r.Path == "/v1/traces").ToList();
        Assert.NotEmpty(traces);
        Assert.All(traces, t => Assert.Equal("application/x-protobuf", t.ContentType));
        var span = Encoding.UTF8.GetBytes("amber.capture");
        var protocol = Encoding.UTF8.GetBytes("openai.chat");
        Assert.Contains(traces, t => t.Body.AsSpan().IndexOf(span) >= 0 && t.Body.AsSpan().IndexOf(protocol) >= 0);
    }
}

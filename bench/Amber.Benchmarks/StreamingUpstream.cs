using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Amber.Benchmarks;

/// <summary>The gateway benchmark's fake upstream: POST /v1/chat/completions (and /v1/uncaptured/chat/completions) answers a short chat.completion.chunk stream at once (8 events, each written and flushed on its own).</summary>
public static class StreamingUpstream
{
    private static readonly byte[][] Events = BuildEvents();

    /// <summary>The SSE events of one answer, in order (the capture benchmark feeds them to the archive without HTTP).</summary>
    public static IReadOnlyList<byte[]> EventBytes => Events;

    public static Task<WebApplication> StartAsync() => FakeUpstreamHost.StartAsync(Answer);

    private static async Task Answer(HttpContext context)
    {
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        foreach (var e in Events)
        {
            await context.Response.Body.WriteAsync(e, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private static byte[][] BuildEvents()
    {
        static string Chunk(string delta, string finish) =>
            $$"""data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764192000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finish}}}]}""" + "\n\n";
        var events = new List<string> { Chunk("""{"role":"assistant","content":""}""", "null") };
        foreach (var word in new[] { "The", " gateway", " keeps", " every", " word." })
        {
            events.Add(Chunk($$"""{"content":"{{word}}"}""", "null"));
        }

        events.Add(Chunk("{}", "\"stop\""));
        events.Add("data: [DONE]\n\n");
        return events.Select(Encoding.UTF8.GetBytes).ToArray();
    }
}

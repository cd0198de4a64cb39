using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Amber.Benchmarks;

/// <summary>
/// The fake upstream of <c>gateway-peers</c> (issue 21's shape): POST …/chat/completions answers a 52-event
/// chat.completion.chunk stream (each event written and flushed on its own) when the request asks for a
/// stream, else a 1.3 KB chat.completion. The same answers are served under /v1/uncaptured/…, a path Amber
/// only forwards. The request is read but not parsed: the choice is a byte search for <c>"stream":true</c>.
/// </summary>
public static class PeerUpstream
{
    private static readonly byte[][] Events = BuildEvents();
    private static readonly byte[] Completion = BuildCompletion();
    private static readonly byte[] StreamTrue = Encoding.UTF8.GetBytes("\"stream\":true");

    /// <summary>Bytes of one streamed answer (all events) and of one non-streamed answer.</summary>
    public static (int Streamed, int Whole) AnswerBytes => (Events.Sum(e => e.Length), Completion.Length);

    public static int StreamEvents => Events.Length;

    public static Task<WebApplication> StartAsync() => FakeUpstreamHost.StartAsync(Answer);

    private static async Task Answer(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var streamed = body.GetBuffer().AsSpan(0, (int)body.Length).IndexOf(StreamTrue) >= 0;
        if (!streamed)
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Completion.Length;
            await context.Response.Body.WriteAsync(Completion, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        foreach (var e in Events)
        {
            await context.Response.Body.WriteAsync(e, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    /// <summary>A 2 KB chat request with four messages (system, user, assistant, user), the last user text unique per <paramref name="tag"/>.</summary>
    public static string Request(bool stream, string tag)
    {
        var filler = string.Concat(Enumerable.Repeat("Preservation keeps the record of what was said, exactly, for later readers. ", 6));
        return $$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"system","content":"You are a careful archivist. {{filler}}"},{"role":"user","content":"What is worth keeping? {{filler}}"},{"role":"assistant","content":"Everything that was said, as it was said. {{filler}}"},{"role":"user","content":"Say something about preservation ({{tag}})."}]}""";
    }

    private static byte[][] BuildEvents()
    {
        static string Chunk(string delta, string finish) =>
            $$"""data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764192000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finish}}}]}""" + "\n\n";
        var events = new List<string> { Chunk("""{"role":"assistant","content":""}""", "null") };
        var words = Words().Take(49).ToList();
        events.AddRange(words.Select(w => Chunk($$"""{"content":"{{w}}"}""", "null")));
        events.Add(Chunk("{}", "\"stop\""));
        events.Add("data: [DONE]\n\n");
        return events.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    private static byte[] BuildCompletion()
    {
        var text = string.Concat(Words().Take(150));
        return Encoding.UTF8.GetBytes($$$"""{"id":"chatcmpl-bench","object":"chat.completion","created":1764192000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_bench","choices":[{"index":0,"message":{"role":"assistant","content":"{{{text}}}","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":412,"completion_tokens":150,"total_tokens":562}}""");
    }

    private static IEnumerable<string> Words()
    {
        var words = new[] { "The", " gateway", " keeps", " every", " word", " that", " passes", " through", " it", "." };
        for (var i = 0; ; i++)
        {
            yield return words[i % words.Length];
        }
    }
}

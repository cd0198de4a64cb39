using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Amber.Testing;

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 that answers like the OpenAI and Anthropic APIs, with the
/// event sequences the official SDKs expect (../shared/reference/infra.md §3): chat.completion.chunk
/// events ending in data: [DONE], Responses response.* events, Anthropic message_start … message_stop.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    public const string ChatModel = "gpt-4o-mini-2024-07-18";
    public const string ResponsesModel = "gpt-4.1-mini-2025-04-14";
    public const string ClaudeModel = "claude-sonnet-4-5-20250929";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<string> answers = new();
    private int counter;

    private FakeUpstream(WebApplication app) => this.app = app;

    public UpstreamBehavior Behavior { get; set; } = UpstreamBehavior.Normal;

    /// <summary>Every request received: path, headers and body.</summary>
    public ConcurrentQueue<(string Path, Dictionary<string, string> Headers, string Body)> Requests { get; } = new();

    /// <summary>Set by a stalled stream when its client left.</summary>
    public TaskCompletionSource StallAborted { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes a stalled stream.</summary>
    public TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri Url => new(app.Urls.First());

    /// <summary>Queues the text of a coming answer (default: "Hello from the fake upstream, N").</summary>
    public void Answer(string text) => answers.Enqueue(text);

    public static async Task<FakeUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeUpstream(app);
        app.MapPost("/v1/chat/completions", fake.ChatAsync);
        app.MapPost("/v1/responses", fake.ResponsesAsync);
        app.MapPost("/v1/messages", fake.MessagesAsync);
        app.MapGet("/v1/models", (HttpContext context) =>
        {
            fake.Requests.Enqueue((context.Request.Path.Value!, Headers(context.Request), ""));
            return Results.Json(new { @object = "list", data = new[] { new { id = ChatModel, @object = "model", created = 1764192000, owned_by = "openai" } } });
        });
        await app.StartAsync();
        return fake;
    }

    private async Task<(JsonObject Body, string Text, int N)> Receive(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue((context.Request.Path.Value!, Headers(context.Request), raw));
        var n = Interlocked.Increment(ref counter);
        var text = answers.TryDequeue(out var t) ? t : $"Hello from the fake upstream, {n}";
        return ((JsonObject)JsonNode.Parse(raw)!, text, n);
    }

    private async Task ChatAsync(HttpContext context)
    {
        var (body, text, n) = await Receive(context);
        context.Response.Headers["openai-version"] = "2020-10-01";
        context.Response.Headers["x-request-id"] = $"req_{n}";
        context.Response.Headers.Server = "FakeUpstream/1.0 (loopback)";
        if (await Failed(context))
        {
            return;
        }

        var id = $"chatcmpl-{n}";
        var lastRole = (body["messages"] as JsonArray)?.Last()?["role"]?.GetValue<string>();
        var callTool = body["tools"] is JsonArray && lastRole == "user";
        if (body["stream"]?.GetValue<bool>() != true)
        {
            var message = callTool
                ? new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{\"city\":\"Paris\"}" } }) }
                : new JsonObject { ["role"] = "assistant", ["content"] = text, ["refusal"] = null };
            await Json(context, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = 1764192000,
                ["model"] = ChatModel,
                ["system_fingerprint"] = "fp_test",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = callTool ? "tool_calls" : "stop" }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 5, ["completion_tokens"] = 6, ["total_tokens"] = 11 },
            });
            return;
        }

        JsonObject Chunk(JsonObject delta, string? finish) => new()
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = 1764192000,
            ["model"] = ChatModel,
            ["system_fingerprint"] = "fp_test",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        var events = new List<string> { Data(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null)) };
        if (callTool)
        {
            events.Add(Data(Chunk(new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "" } }) }, null)));
            events.Add(Data(Chunk(new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = "{\"city\":" } }) }, null)));
            events.Add(Data(Chunk(new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = "\"Paris\"}" } }) }, null)));
        }
        else
        {
            foreach (var word in Words(text))
            {
                events.Add(Data(Chunk(new JsonObject { ["content"] = word }, null)));
            }
        }

        events.Add(Data(Chunk([], callTool ? "tool_calls" : "stop")));
        events.Add(Data(new JsonObject { ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = 1764192000, ["model"] = ChatModel, ["choices"] = new JsonArray(), ["usage"] = new JsonObject { ["prompt_tokens"] = 5, ["completion_tokens"] = 6, ["total_tokens"] = 11 } }));
        events.Add("data: [DONE]\n\n");
        await Stream(context, events);
    }

    private async Task ResponsesAsync(HttpContext context)
    {
        var (body, text, n) = await Receive(context);
        context.Response.Headers["openai-version"] = "2020-10-01";
        if (await Failed(context))
        {
            return;
        }

        var id = $"resp_{n}";
        var item = new JsonObject
        {
            ["type"] = "message",
            ["id"] = $"msg_{n}",
            ["status"] = "completed",
            ["role"] = "assistant",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray() }),
        };
        JsonObject Response(string status, JsonArray output) => new()
        {
            ["id"] = id,
            ["object"] = "response",
            ["created_at"] = 1764192000,
            ["status"] = status,
            ["model"] = ResponsesModel,
            ["output"] = output,
            ["previous_response_id"] = body["previous_response_id"]?.DeepClone(),
            ["parallel_tool_calls"] = true,
            ["tools"] = new JsonArray(),
            ["usage"] = status == "completed" ? new JsonObject { ["input_tokens"] = 5, ["output_tokens"] = 6, ["total_tokens"] = 11, ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 }, ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 } } : null,
        };
        if (body["stream"]?.GetValue<bool>() != true)
        {
            await Json(context, Response("completed", new JsonArray(item)));
            return;
        }

        var seq = 0;
        string Event(string type, JsonObject data)
        {
            data["type"] = type;
            data["sequence_number"] = seq++;
            return $"event: {type}\n{Data(data)}";
        }

        var events = new List<string>
        {
            Event("response.created", new JsonObject { ["response"] = Response("in_progress", []) }),
            Event("response.output_item.added", new JsonObject { ["output_index"] = 0, ["item"] = new JsonObject { ["type"] = "message", ["id"] = $"msg_{n}", ["status"] = "in_progress", ["role"] = "assistant", ["content"] = new JsonArray() } }),
            Event("response.content_part.added", new JsonObject { ["item_id"] = $"msg_{n}", ["output_index"] = 0, ["content_index"] = 0, ["part"] = new JsonObject { ["type"] = "output_text", ["text"] = "", ["annotations"] = new JsonArray() } }),
        };
        foreach (var word in Words(text))
        {
            events.Add(Event("response.output_text.delta", new JsonObject { ["item_id"] = $"msg_{n}", ["output_index"] = 0, ["content_index"] = 0, ["delta"] = word }));
        }

        events.Add(Event("response.output_text.done", new JsonObject { ["item_id"] = $"msg_{n}", ["output_index"] = 0, ["content_index"] = 0, ["text"] = text }));
        events.Add(Event("response.output_item.done", new JsonObject { ["output_index"] = 0, ["item"] = item.DeepClone() }));
        events.Add(Event("response.completed", new JsonObject { ["response"] = Response("completed", new JsonArray(item.DeepClone())) }));
        await Stream(context, events);
    }

    private async Task MessagesAsync(HttpContext context)
    {
        var (body, text, n) = await Receive(context);
        context.Response.Headers["request-id"] = $"req_{n}";
        if (await Failed(context))
        {
            return;
        }

        var id = $"msg_{n}";
        var lastContent = (body["messages"] as JsonArray)?.Last()?["content"];
        var callTool = body["tools"] is JsonArray && lastContent is JsonValue;
        if (body["stream"]?.GetValue<bool>() != true)
        {
            var content = callTool
                ? new JsonArray(new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_1", ["name"] = "get_weather", ["input"] = new JsonObject { ["city"] = "Paris" } })
                : new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text });
            await Json(context, new JsonObject
            {
                ["id"] = id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = ClaudeModel,
                ["content"] = content,
                ["stop_reason"] = callTool ? "tool_use" : "end_turn",
                ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = 5, ["output_tokens"] = 6 },
            });
            return;
        }

        string Event(string type, JsonObject data)
        {
            data["type"] = type;
            return $"event: {type}\n{Data(data)}";
        }

        var events = new List<string>
        {
            Event("message_start", new JsonObject { ["message"] = new JsonObject { ["id"] = id, ["type"] = "message", ["role"] = "assistant", ["model"] = ClaudeModel, ["content"] = new JsonArray(), ["stop_reason"] = null, ["stop_sequence"] = null, ["usage"] = new JsonObject { ["input_tokens"] = 5, ["output_tokens"] = 1 } } }),
            Event("content_block_start", new JsonObject { ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } }),
            Event("ping", []),
        };
        foreach (var word in Words(text))
        {
            events.Add(Event("content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = word } }));
        }

        events.Add(Event("content_block_stop", new JsonObject { ["index"] = 0 }));
        events.Add(Event("message_delta", new JsonObject { ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null }, ["usage"] = new JsonObject { ["output_tokens"] = 6 } }));
        events.Add(Event("message_stop", []));
        await Stream(context, events);
    }

    private static Dictionary<string, string> Headers(HttpRequest request)
        => request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<string> Words(string text)
    {
        var parts = text.Split(' ');
        for (var i = 0; i < parts.Length; i++)
        {
            yield return i == 0 ? parts[i] : " " + parts[i];
        }
    }

    private static string Data(JsonObject o) => $"data: {o.ToJsonString()}\n\n";

    private async Task<bool> Failed(HttpContext context)
    {
        if (Behavior != UpstreamBehavior.ServerError)
        {
            return false;
        }

        context.Response.StatusCode = 500;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}", context.RequestAborted);
        return true;
    }

    private async Task Json(HttpContext context, JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        context.Response.ContentType = "application/json";
        if (Behavior == UpstreamBehavior.Gzip)
        {
            using var compressed = new MemoryStream();
            await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(bytes, context.RequestAborted);
            }

            bytes = compressed.ToArray();
            context.Response.Headers.ContentEncoding = "gzip";
        }

        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private async Task Stream(HttpContext context, List<string> events)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        if (Behavior == UpstreamBehavior.GzipStream)
        {
            context.Response.Headers.ContentEncoding = "gzip";
            await context.Response.StartAsync(context.RequestAborted);
            await using var gzip = new GZipStream(context.Response.Body, CompressionLevel.Fastest, leaveOpen: true);
            foreach (var e in events)
            {
                await gzip.WriteAsync(System.Text.Encoding.UTF8.GetBytes(e), context.RequestAborted);
                await gzip.FlushAsync(context.RequestAborted);
            }

            return;
        }

        await context.Response.StartAsync(context.RequestAborted);
        for (var i = 0; i < events.Count; i++)
        {
            if (i == 3 && Behavior == UpstreamBehavior.ResetMidStream)
            {
                // Kestrel drops output still in flight when it aborts; let the first events leave first.
                await Task.Delay(200, context.RequestAborted);
                context.Abort();
                return;
            }

            if (i == 3 && Behavior == UpstreamBehavior.StallMidStream)
            {
                try
                {
                    await Release.Task.WaitAsync(context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    StallAborted.TrySetResult();
                    return;
                }
            }

            await context.Response.WriteAsync(events[i], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Release.TrySetResult();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

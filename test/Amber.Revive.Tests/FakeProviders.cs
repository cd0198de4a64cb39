using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Amber.Revive.Tests;

/// <summary>A real Kestrel server on 127.0.0.1:0 answering OpenAI Chat Completions and Anthropic Messages with canned text, keeping every request body.</summary>
public sealed class FakeProviders : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeProviders(WebApplication app) => this.app = app;

    public List<JsonObject> Requests { get; } = [];

    /// <summary>Reads the request's JSON body and keeps it in <see cref="Requests"/>.</summary>
    private async Task<JsonObject> KeepAsync(HttpContext c)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(c.Request.Body))!;
        lock (Requests)
        {
            Requests.Add(body);
        }

        return body;
    }

    /// <summary>The model id the fake reports having used.</summary>
    public string ResolvedModel { get; set; } = "gpt-4o-mini-2024-07-18";

    /// <summary>Produces the answer text from the request (default: echoes the turn count).</summary>
    public Func<JsonObject, string> Answer { get; set; } = r => $"answer to {((JsonArray)r["messages"]!).Count} messages";

    public string Url => app.Urls.First();

    public static async Task<FakeProviders> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeProviders(app);
        app.MapPost("/v1/chat/completions", async (HttpContext c) =>
        {
            var body = await fake.KeepAsync(c);

            return Results.Json(new JsonObject
            {
                ["id"] = "chatcmpl-fake",
                ["object"] = "chat.completion",
                ["created"] = 1,
                ["model"] = fake.ResolvedModel,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = fake.Answer(body) }, ["finish_reason"] = "stop" }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 3, ["completion_tokens"] = 4, ["total_tokens"] = 7 },
            });
        });
        app.MapPost("/v1/messages", async (HttpContext c) =>
        {
            var body = await fake.KeepAsync(c);

            return Results.Json(new JsonObject
            {
                ["id"] = "msg_fake",
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = fake.ResolvedModel,
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = fake.Answer(body) }),
                ["stop_reason"] = "end_turn",
                ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = 3, ["output_tokens"] = 4 },
            });
        });
        await app.StartAsync();
        return fake;
    }

    public Func<string, string?> Environment(string key = "test-key") => name => name switch
    {
        HostedBackends.OpenAIBaseUrlVariable => Url + "/v1",
        HostedBackends.OpenAIKeyVariable => key,
        HostedBackends.AnthropicBaseUrlVariable => Url,
        HostedBackends.AnthropicKeyVariable => key,
        _ => null,
    };

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

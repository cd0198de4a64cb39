using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Amber.Capture;
using Amber.Core.Hashing;
using Amber.Core.Hosting;
using Amber.Core.Model;
using Amber.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Amber.Revive.LlamaSharp.Hosting;

/// <summary>
/// The local model host: OpenAI Chat Completions (<c>POST /v1/chat/completions</c>, streaming and not)
/// for the registry's model names, each exchange recorded at T2 (T1 with freeze) through the
/// <see cref="ConversationRecorder"/> (source "local") before the response completes. It runs as a
/// middleware in front of the endpoints, so requests for other models fall through to the gateway.
/// </summary>
public static class LocalModelHost
{
    public const string Path = "/v1/chat/completions";
    public const string Source = "local";
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IServiceCollection AddLocalModels(this IServiceCollection services, LocalModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        services.AddSingleton(registry);
        services.AddSingleton<ILocalModelRouter>(registry);
        services.TryAddSingleton(sp => new ConversationRecorder(sp.GetRequiredService<Archive>(), registry.Time));
        return services;
    }

    /// <summary>Installs the host in the pipeline (before the endpoint of the same path, if any).</summary>
    public static void UseLocalModels(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var app = (IApplicationBuilder)endpoints;
        app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != Path)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            if (!JsonMediaType.Is(context.Request.ContentType))
            {
                // As the gateway: a page of another site can post text/plain without a CORS preflight.
                await ErrorAsync(context, 415, $"Chat completions take Content-Type: application/json, not \"{context.Request.ContentType}\".").ConfigureAwait(false);
                return;
            }

            var registry = context.RequestServices.GetRequiredService<LocalModelRegistry>();
            context.Request.EnableBuffering();
            JsonObject? body;
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) as JsonObject;
            }
            catch (JsonException)
            {
                body = null;
            }

            context.Request.Body.Position = 0;
            var name = body?["model"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (name is null || !registry.Models.TryGetValue(name, out var model))
            {
                if (context.GetEndpoint() is not null)
                {
                    await next(context).ConfigureAwait(false);
                    return;
                }

                await ErrorAsync(context, 404, name is null ? "the request body has no \"model\"." : $"the model \"{name}\" is not served here (local models: {string.Join(", ", registry.Models.Keys)}).").ConfigureAwait(false);
                return;
            }

            await HandleAsync(context, registry, model, body!).ConfigureAwait(false);
        });
    }

    private static async Task HandleAsync(HttpContext context, LocalModelRegistry registry, LocalModel model, JsonObject body)
    {
        List<(string Role, string Content)> messages;
        SamplerSettings sampler;
        try
        {
            messages = ParseMessages(body);
            sampler = ParseSampler(body, registry);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            await ErrorAsync(context, 400, e.Message).ConfigureAwait(false);
            return;
        }

        var ct = context.RequestAborted;
        var stream = body["stream"]?.GetValue<bool>() == true;
        var includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        Span<byte> idBytes = stackalloc byte[12];
        registry.Random(idBytes);
        var id = "chatcmpl-" + Convert.ToHexStringLower(idBytes);
        var created = registry.Time.GetUtcNow().ToUnixTimeSeconds();
        IReadOnlyList<int> prompt;
        try
        {
            prompt = model.PromptTokens(messages);
        }
        catch (ArgumentException e)
        {
            await ErrorAsync(context, 400, e.Message).ConfigureAwait(false);
            return;
        }

        LocalGeneration g;
        JsonObject responseJson;
        if (!stream)
        {
            try
            {
                g = await model.GenerateAsync(prompt, sampler, registry.Freeze, ct: ct).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                await ErrorAsync(context, 400, e.Message).ConfigureAwait(false);
                return;
            }

            responseJson = Completion(id, created, model.Name, g);
            var instance = await RecordAsync(context, model, body, g, responseJson, id).ConfigureAwait(false);
            context.Response.Headers["Amber-Instance"] = instance;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(responseJson.ToJsonString(Compact), ct).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var channel = Channel.CreateUnbounded<int>();
        var run = Task.Run(
            async () =>
            {
                try
                {
                    return await model.GenerateAsync(prompt, sampler, registry.Freeze, t => channel.Writer.TryWrite(t), ct).ConfigureAwait(false);
                }
                finally
                {
                    channel.Writer.TryComplete();
                }
            },
            ct);
        var tokens = new List<int>();
        try
        {
            await SseAsync(context, Chunk(id, created, model.Name, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null)).ConfigureAwait(false);
            var emitted = "";
            await foreach (var token in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                tokens.Add(token);
                var text = model.Detokenize(tokens);
                if (text.Length > emitted.Length && text.StartsWith(emitted, StringComparison.Ordinal) && !text.EndsWith('\uFFFD'))
                {
                    await SseAsync(context, Chunk(id, created, model.Name, new JsonObject { ["content"] = text[emitted.Length..] }, null)).ConfigureAwait(false);
                    emitted = text;
                }
            }

            g = await run.ConfigureAwait(false);
            if (g.Text.Length > emitted.Length)
            {
                await SseAsync(context, Chunk(id, created, model.Name, new JsonObject { ["content"] = g.Text[emitted.Length..] }, null)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
            // The client went away mid-stream: keep what was generated, flagged interrupted, as the gateway does.
            await run.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            while (channel.Reader.TryRead(out var late))
            {
                tokens.Add(late);
            }

            if (tokens.Count > 0)
            {
                var partial = model.Interrupted(prompt, tokens, sampler);
                await RecordAsync(context, model, body, partial, Completion(id, created, model.Name, partial), id).ConfigureAwait(false);
            }

            return;
        }

        responseJson = Completion(id, created, model.Name, g);
        var streamedInstance = await RecordAsync(context, model, body, g, responseJson, id).ConfigureAwait(false);
        var last = Chunk(id, created, model.Name, [], g.FinishReason);
        last["amber_instance"] = streamedInstance;
        await SseAsync(context, last).ConfigureAwait(false);
        if (includeUsage)
        {
            var usage = Chunk(id, created, model.Name, null, null);
            usage["choices"] = new JsonArray();
            usage["usage"] = responseJson["usage"]!.DeepClone();
            await SseAsync(context, usage).ConfigureAwait(false);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", ct).ConfigureAwait(false);
    }

    private static async Task<string> RecordAsync(HttpContext context, LocalModel model, JsonObject request, LocalGeneration g, JsonObject response, string id)
    {
        var recorder = context.RequestServices.GetRequiredService<ConversationRecorder>();
        var prompt = ParseMessages(request).Select(m => new Node { Role = m.Role, Content = [new TextBlock(m.Content)] }).ToList();
        var stateId = g.State is null ? null : ContentId.Of(g.State);
        var answer = new Node
        {
            Role = "assistant",
            Content = [new TextBlock(g.Text)],
            Generation = g.ToRecord(model, stateId),
            Flags = g.FinishReason == "interrupted" ? [NodeFlags.Interrupted] : [],
        };
        var raw = new JsonObject { ["request"] = request.DeepClone(), ["response"] = response.DeepClone() };
        var result = await recorder.RecordAsync(
            new CapturedExchange
            {
                Source = Source,
                Prompt = prompt,
                Answer = answer,
                Model = model.Reference,
                Blobs = g.State is null ? [] : [g.State],
                Raw = Encoding.UTF8.GetBytes(raw.ToJsonString(Compact)),
                AnswerKeys = ["response:local:" + id],
            },
            CancellationToken.None).ConfigureAwait(false); // durable before the response completes, even if the client went away
        return result.InstanceId;
    }

    private static List<(string Role, string Content)> ParseMessages(JsonObject body)
    {
        var array = body["messages"] as JsonArray ?? throw new FormatException("the request has no \"messages\" array.");
        var list = new List<(string, string)>();
        for (var i = 0; i < array.Count; i++)
        {
            var m = array[i] as JsonObject ?? throw new FormatException($"messages[{i}] is not an object.");
            var role = (string?)m["role"] ?? throw new FormatException($"messages[{i}] has no \"role\".");
            var content = m["content"] switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                JsonArray parts => string.Concat(parts.Select((p, j) => (string?)p?["type"] == "text" ? (string?)p["text"] ?? "" : throw new FormatException($"messages[{i}].content[{j}]: only text parts are supported by local models."))),
                _ => throw new FormatException($"messages[{i}].content is neither a string nor an array of parts."),
            };
            list.Add((role, content));
        }

        return list.Count > 0 ? list : throw new FormatException("\"messages\" is empty.");
    }

    private static SamplerSettings ParseSampler(JsonObject body, LocalModelRegistry registry)
    {
        long seed;
        if (body["seed"] is { } s)
        {
            seed = s.GetValue<long>();
        }
        else
        {
            Span<byte> b = stackalloc byte[4];
            registry.Random(b);
            seed = BitConverter.ToUInt32(b);
        }

        var max = body["max_completion_tokens"] ?? body["max_tokens"];
        return new SamplerSettings
        {
            Temperature = body["temperature"]?.GetValue<float>() ?? 1f,
            TopP = body["top_p"]?.GetValue<float>() ?? 1f,
            TopK = body["top_k"]?.GetValue<int>() ?? 40,
            MinP = body["min_p"]?.GetValue<float>() ?? 0.05f,
            Seed = seed,
            MaxTokens = max?.GetValue<int>() is { } n ? (n > 0 ? n : throw new ArgumentException("max_tokens must be positive.")) : 256,
        };
    }

    private static JsonObject Completion(string id, long created, string model, LocalGeneration g) => new()
    {
        ["id"] = id,
        ["object"] = "chat.completion",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = g.Text },
            ["finish_reason"] = g.FinishReason,
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = g.PromptTokens.Count, ["completion_tokens"] = g.OutputTokens.Count, ["total_tokens"] = g.PromptTokens.Count + g.OutputTokens.Count },
        ["system_fingerprint"] = "amber-local",
    };

    private static JsonObject Chunk(string id, long created, string model, JsonObject? delta, string? finish) => new()
    {
        ["id"] = id,
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = model,
        ["system_fingerprint"] = "amber-local",
        ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private static async Task SseAsync(HttpContext context, JsonObject chunk)
    {
        await context.Response.WriteAsync("data: " + chunk.ToJsonString(Compact) + "\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var error = new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = status == 404 ? "not_found_error" : "invalid_request_error" } };
        return context.Response.WriteAsync(error.ToJsonString(Compact));
    }

}

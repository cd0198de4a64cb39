using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Amber.Torture;

/// <summary>
/// One client call through a gateway or the local model host, the way an SDK makes it (raw HttpClient, the wire shapes
/// of the OpenAI and Anthropic APIs), and what the client saw: the <c>Amber-Instance</c> id, whether it read the final
/// event (or the whole body), and the answer text it assembled.
/// </summary>
public sealed class GatewayCall(string shape, bool stream, string prompt)
{
    public const string OpenAiChat = "openai-chat";
    public const string OpenAiResponses = "openai-responses";
    public const string Anthropic = "anthropic-messages";

    public string Shape { get; } = shape;

    public bool Stream { get; } = stream;

    /// <summary>The user message, unique to this call, so the stored prompt can be recognised.</summary>
    public string Prompt { get; } = prompt;

    /// <summary>The id the client received: the <c>Amber-Instance</c> header (or a local stream's final <c>amber_instance</c>).</summary>
    public string? Instance { get; private set; }

    /// <summary>The client saw a 200, the instance id and the final event (a stream) or the whole body: the answer was acknowledged.</summary>
    public bool Acknowledged { get; private set; }

    /// <summary>The status the client received, or null when no response arrived.</summary>
    public int? Status { get; private set; }

    /// <summary>The body of a response that was not a 200 (the gateway's own errors name their code there).</summary>
    public string ErrorBody { get; private set; } = "";

    /// <summary>The answer text as the client assembled it from the body or the stream's deltas.</summary>
    public string Text { get; private set; } = "";

    /// <summary>A call as a client that read it whole would have left it (for the tests of the campaign's own checks).</summary>
    internal static GatewayCall Read(string shape, bool stream, string prompt, string instance, string text)
        => new(shape, stream, prompt) { Instance = instance, Acknowledged = true, Status = 200, Text = text };

    public string Describe => $"{Shape}{(Stream ? " streamed" : "")} \"{Prompt}\"";

    /// <summary>Makes the call; a connection cut by the kill leaves it unacknowledged (never throws for that).</summary>
    public async Task RunAsync(HttpClient http, string? localModel, CancellationToken ct)
    {
        using var request = Request(localModel);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (response.Headers.TryGetValues("Amber-Instance", out var ids))
            {
                Instance = ids.FirstOrDefault();
            }

            Status = (int)response.StatusCode;
            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                ErrorBody = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                return;
            }

            var final = Stream ? await ReadStreamAsync(response, ct).ConfigureAwait(false) : await ReadBodyAsync(response, ct).ConfigureAwait(false);
            Acknowledged = final && Instance is not null;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or System.Text.Json.JsonException)
        {
            // the process was killed mid-call (or the run stopped): not acknowledged
        }
    }

    private HttpRequestMessage Request(string? localModel)
    {
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Prompt });
        var (path, body) = Shape switch
        {
            OpenAiResponses => ("v1/responses", new JsonObject { ["model"] = "gpt-4.1-mini", ["input"] = Prompt, ["stream"] = Stream }),
            Anthropic => ("v1/messages", new JsonObject { ["model"] = "claude-sonnet-4-5", ["max_tokens"] = 64, ["messages"] = messages, ["stream"] = Stream }),
            _ when localModel is not null => ("v1/chat/completions", new JsonObject { ["model"] = localModel, ["messages"] = messages, ["max_tokens"] = 12, ["temperature"] = 0, ["stream"] = Stream }),
            _ => ("v1/chat/completions", new JsonObject { ["model"] = "gpt-4o-mini", ["messages"] = messages, ["stream"] = Stream }),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (Shape == Anthropic)
        {
            request.Headers.Add("x-api-key", "sk-ant-torture-0000000000000000");
            request.Headers.Add("anthropic-version", "2023-06-01");
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-torture-0000000000000000");
        }

        return request;
    }

    private async Task<bool> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false))!;
        Text = Shape switch
        {
            OpenAiResponses => body["output"]![0]!["content"]![0]!["text"]!.GetValue<string>(),
            Anthropic => body["content"]![0]!["text"]!.GetValue<string>(),
            _ => body["choices"]![0]!["message"]!["content"]!.GetValue<string>(),
        };
        return true;
    }

    /// <summary>Reads the SSE stream to its end; true if the final event arrived ([DONE], response.completed, message_stop).</summary>
    private async Task<bool> ReadStreamAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), Encoding.UTF8);
        var text = new StringBuilder();
        var final = false;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line["data: ".Length..];
            if (data == "[DONE]")
            {
                final = Shape != OpenAiResponses && Shape != Anthropic;
                continue;
            }

            var e = JsonNode.Parse(data)!;
            var type = e["type"]?.GetValue<string>();
            switch (Shape)
            {
                case OpenAiResponses when type == "response.output_text.delta":
                case Anthropic when type == "content_block_delta":
                    text.Append(Shape == Anthropic ? e["delta"]!["text"]!.GetValue<string>() : e["delta"]!.GetValue<string>());
                    break;
                case OpenAiResponses when type == "response.completed":
                case Anthropic when type == "message_stop":
                    final = true;
                    break;
                case OpenAiChat:
                    if (e["choices"] is JsonArray { Count: > 0 } choices && choices[0]!["delta"]?["content"] is JsonValue content)
                    {
                        text.Append(content.GetValue<string>());
                    }

                    if (e["amber_instance"] is JsonValue instance)
                    {
                        Instance ??= instance.GetValue<string>(); // the local model host names the answer in the last chunk
                    }

                    break;
            }
        }

        Text = text.ToString();
        return final;
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Proxy.Exchanges;

namespace Amber.Proxy.Protocols;

/// <summary>OpenAI Chat Completions (<c>POST /v1/chat/completions</c>), streamed (chat.completion.chunk events ending in <c>data: [DONE]</c>) or not.</summary>
internal sealed class OpenAiChatProtocol : IProtocol
{
    public string Source => "openai.chat";

    public string Provider => "openai";

    public bool IsFinalEvent(ReadOnlySpan<byte> rawEvent) => SseEvent.HasLine(rawEvent, "data: [DONE]"u8) || SseEvent.HasLine(rawEvent, "data:[DONE]"u8);

    public byte[]? InjectNotice(ReadOnlyMemory<byte> body, string notice)
    {
        if (Normalization.ParseObject(body.Span) is not { } request || request["messages"] is not JsonArray messages)
        {
            return null;
        }

        var first = messages.FirstOrDefault() as JsonObject;
        if (Normalization.Str(first, "role") is "system" or "developer")
        {
            switch (first!["content"])
            {
                case JsonArray parts:
                    parts.Add(new JsonObject { ["type"] = "text", ["text"] = notice });
                    break;
                default:
                    first["content"] = $"{Normalization.Str(first, "content")}\n\n{notice}".TrimStart('\n');
                    break;
            }
        }
        else
        {
            messages.Insert(0, new JsonObject { ["role"] = "system", ["content"] = notice });
        }

        return Encoding.UTF8.GetBytes(request.ToJsonString());
    }

    public NormalizedExchange Normalize(RawExchange exchange)
    {
        var n = new Normalization(exchange, Provider);
        var prompt = new List<Node>();
        foreach (var m in n.Request?["messages"] as JsonArray ?? [])
        {
            if (m is JsonObject message)
            {
                prompt.Add(PromptNode(n, message));
            }
        }

        var parameters = n.Parameters("messages");
        var seed = Normalization.Long(n.Request, "seed");
        var answer = n.Succeeded || exchange.Interrupted ? Assemble(n, exchange) : null;
        var model = n.Model(answer?.Model, answer?.Fingerprint, exchange.ResponseHeader("openai-version"));
        Node? node = null;
        if (answer is not null)
        {
            var generation = new GenerationRecord
            {
                Model = model.Id,
                Parameters = parameters,
                Seed = seed,
                Usage = answer.Usage,
                FinishReason = answer.FinishReason,
                TimeToFirstTokenMs = answer.FirstTokenMs,
                TotalMs = (long)Math.Round(exchange.TotalMs),
            };
            node = n.Answer(answer.Content, generation, answer.Id, answer.Meta);
        }

        return new NormalizedExchange
        {
            Prompt = prompt,
            Answer = node,
            Model = model,
            Blobs = n.Blobs,
            AnswerKeys = n.AnswerKeys(answer?.Id),
            Title = Normalization.Title(prompt),
        };
    }

    private static Node PromptNode(Normalization n, JsonObject message)
    {
        var role = Normalization.Str(message, "role") ?? "user";
        var blocks = new List<ContentBlock>();
        JsonObject? meta = null;
        var content = Blocks(n, message["content"]);
        if (role is "tool" or "function")
        {
            blocks.Add(new ToolResultBlock(Normalization.Str(message, "tool_call_id") ?? Normalization.Str(message, "name"), content));
        }
        else
        {
            blocks.AddRange(content);
        }

        if (Normalization.Str(message, "refusal") is { Length: > 0 } refusal)
        {
            blocks.Add(new TextBlock(refusal));
            meta = new JsonObject { ["refusal"] = true };
        }

        foreach (var call in message["tool_calls"] as JsonArray ?? [])
        {
            blocks.Add(ToolCall(call as JsonObject));
        }

        if (message["function_call"] is JsonObject legacy)
        {
            blocks.Add(new ToolCallBlock(null, Normalization.Str(legacy, "name") ?? "", Normalization.Arguments(Normalization.Str(legacy, "arguments"))));
        }

        if (Normalization.Str(message, "name") is { } name && role is not "function")
        {
            (meta ??= [])["name"] = name;
        }

        return Normalization.Message(role, blocks, meta);
    }

    private static ToolCallBlock ToolCall(JsonObject? call)
    {
        if (call?["custom"] is JsonObject custom)
        {
            return new ToolCallBlock(Normalization.Str(call, "id"), Normalization.Str(custom, "name") ?? "", JsonValue.Create(Normalization.Str(custom, "input")));
        }

        var function = call?["function"] as JsonObject;
        return new ToolCallBlock(Normalization.Str(call, "id"), Normalization.Str(function, "name") ?? "", Normalization.Arguments(Normalization.Str(function, "arguments")));
    }

    private static List<ContentBlock> Blocks(Normalization n, JsonNode? content)
    {
        var blocks = new List<ContentBlock>();
        switch (content)
        {
            case JsonValue v when v.TryGetValue<string>(out var text):
                if (text.Length > 0)
                {
                    blocks.Add(new TextBlock(text));
                }

                break;
            case JsonArray parts:
                foreach (var part in parts.OfType<JsonObject>())
                {
                    blocks.Add(Part(n, part));
                }

                break;
        }

        return blocks;
    }

    private static ContentBlock Part(Normalization n, JsonObject part)
    {
        switch (Normalization.Str(part, "type"))
        {
            case "text" when Normalization.Str(part, "text") is { } text:
                return new TextBlock(text);
            case "refusal" when Normalization.Str(part, "refusal") is { } refusal:
                return new TextBlock(refusal);
            case "image_url" when (Normalization.Str(part["image_url"], "url") ?? Normalization.Str(part, "image_url")) is { } url:
                return n.ImageUrl(url, part);
            case "input_audio" when part["input_audio"] is JsonObject audio:
                return n.Base64("audio", Normalization.Str(audio, "data"), "audio/" + (Normalization.Str(audio, "format") ?? "wav"), part, "input_audio");
            case "file" when part["file"] is JsonObject file && Normalization.Str(file, "file_data") is { } data:
                return n.ImageUrl(data, part) is BlobBlock b ? b with { BlobKind = "file", Name = Normalization.Str(file, "filename") } : new OpaqueBlock("openai", "file", part.DeepClone());
            default:
                return new OpaqueBlock("openai", Normalization.Str(part, "type") ?? "part", part.DeepClone());
        }
    }

    /// <summary>The answer of choice 0, from the JSON body or assembled from the stream's chunks.</summary>
    private static Assembled? Assemble(Normalization n, RawExchange exchange)
    {
        if (exchange.Status is null)
        {
            // No response at all (refused, reset or timed out before the headers): an empty answer, flagged
            // interrupted, still carries the instance id the client was given.
            return new Assembled();
        }

        if (!exchange.Streamed)
        {
            var body = Normalization.ParseObject(exchange.ResponseBody.Span);
            if (body is null)
            {
                return exchange.Interrupted ? new Assembled { Content = [] } : null;
            }

            var choice = (body["choices"] as JsonArray)?.FirstOrDefault() as JsonObject;
            var message = choice?["message"] as JsonObject;
            var content = message is null ? [] : PromptNode(n, message).Content.ToList();
            var meta = Normalization.Str(message, "refusal") is { Length: > 0 } ? new JsonObject { ["refusal"] = true } : null;
            if (body["choices"] is JsonArray { Count: > 1 } all)
            {
                (meta ??= [])["choices"] = all.Count;
            }

            return new Assembled
            {
                Id = Normalization.Str(body, "id"),
                Model = Normalization.Str(body, "model"),
                Fingerprint = Normalization.Str(body, "system_fingerprint"),
                Usage = body["usage"]?.DeepClone() as JsonObject,
                FinishReason = Normalization.Str(choice, "finish_reason"),
                FirstTokenMs = exchange.FirstByteMs is { } f ? (long)Math.Round(f) : null,
                Content = content,
                Meta = meta,
            };
        }

        var a = new Assembled();
        var text = new StringBuilder();
        var refusal = new StringBuilder();
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Args)>();
        foreach (var e in SseEvent.Parse(exchange.ResponseBody.Span))
        {
            if (e.Data == "[DONE]" || Normalization.ParseObject(e.Data) is not { } chunk)
            {
                continue;
            }

            a.Id ??= Normalization.Str(chunk, "id");
            a.Model = Normalization.Str(chunk, "model") ?? a.Model;
            a.Fingerprint = Normalization.Str(chunk, "system_fingerprint") ?? a.Fingerprint;
            if (chunk["usage"] is JsonObject usage)
            {
                a.Usage = (JsonObject)usage.DeepClone();
            }

            foreach (var choice in (chunk["choices"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (Normalization.Long(choice, "index") is { } index && index != 0)
                {
                    continue;
                }

                var delta = choice["delta"] as JsonObject;
                var produced = !string.IsNullOrEmpty(Normalization.Str(delta, "content")) || !string.IsNullOrEmpty(Normalization.Str(delta, "refusal"))
                    || delta?["tool_calls"] is JsonArray { Count: > 0 };
                text.Append(Normalization.Str(delta, "content"));
                refusal.Append(Normalization.Str(delta, "refusal"));
                foreach (var call in (delta?["tool_calls"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var i = (int)(Normalization.Long(call, "index") ?? 0);
                    var fn = call["function"] as JsonObject;
                    var current = calls.TryGetValue(i, out var c) ? c : (null, null, new StringBuilder());
                    current.Id ??= Normalization.Str(call, "id");
                    current.Name ??= Normalization.Str(fn, "name");
                    current.Args.Append(Normalization.Str(fn, "arguments"));
                    calls[i] = current;
                }

                if (a.FirstTokenMs is null && produced)
                {
                    a.FirstTokenMs = n.ArrivalMs(e.End);
                }

                a.FinishReason = Normalization.Str(choice, "finish_reason") ?? a.FinishReason;
            }
        }

        if (text.Length > 0)
        {
            a.Content.Add(new TextBlock(text.ToString()));
        }

        if (refusal.Length > 0)
        {
            a.Content.Add(new TextBlock(refusal.ToString()));
            a.Meta = new JsonObject { ["refusal"] = true };
        }

        foreach (var (_, call) in calls)
        {
            a.Content.Add(new ToolCallBlock(call.Id, call.Name ?? "", Normalization.Arguments(call.Args.ToString())));
        }

        return a;
    }

    private sealed class Assembled
    {
        public string? Id { get; set; }

        public string? Model { get; set; }

        public string? Fingerprint { get; set; }

        public JsonObject? Usage { get; set; }

        public string? FinishReason { get; set; }

        public long? FirstTokenMs { get; set; }

        public List<ContentBlock> Content { get; init; } = [];

        public JsonObject? Meta { get; set; }
    }
}

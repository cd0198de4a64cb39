using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Proxy.Exchanges;

namespace Amber.Proxy.Protocols;

/// <summary>Anthropic Messages (<c>POST /v1/messages</c>), streamed (message_start … message_stop) or not.</summary>
internal sealed class AnthropicMessagesProtocol : IProtocol
{
    public string Source => "anthropic.messages";

    public string Provider => "anthropic";

    public bool IsFinalEvent(ReadOnlySpan<byte> rawEvent)
        => SseEvent.HasLine(rawEvent, "event: message_stop"u8) || SseEvent.HasLine(rawEvent, "event: error"u8);

    public byte[]? InjectNotice(ReadOnlyMemory<byte> body, string notice)
    {
        if (Normalization.ParseObject(body.Span) is not { } request)
        {
            return null;
        }

        switch (request["system"])
        {
            case JsonArray blocks:
                blocks.Add(new JsonObject { ["type"] = "text", ["text"] = notice });
                break;
            case JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0:
                request["system"] = $"{s}\n\n{notice}";
                break;
            default:
                request["system"] = notice;
                break;
        }

        return Encoding.UTF8.GetBytes(request.ToJsonString());
    }

    public NormalizedExchange Normalize(RawExchange exchange)
    {
        var n = new Normalization(exchange, Provider);
        var request = n.Request;
        var prompt = new List<Node>();
        switch (request?["system"])
        {
            case JsonValue v when v.TryGetValue<string>(out var s):
                prompt.Add(Normalization.Message("system", s.Length == 0 ? [] : [new TextBlock(s)]));
                break;
            case JsonArray blocks:
                prompt.Add(Normalization.Message("system", Blocks(n, blocks)));
                break;
        }

        foreach (var m in (request?["messages"] as JsonArray ?? []).OfType<JsonObject>())
        {
            prompt.Add(Normalization.Message(Normalization.Str(m, "role") ?? "user", Blocks(n, m["content"])));
        }

        var message = n.Succeeded || exchange.Interrupted ? Message(n, exchange) : null;
        var model = n.Model(Normalization.Str(message?.Message, "model"), null, exchange.RequestHeader("anthropic-version"));
        Node? answer = null;
        var id = Normalization.Str(message?.Message, "id");
        if (message is not null)
        {
            var generation = new GenerationRecord
            {
                Model = model.Id,
                Parameters = n.Parameters("messages", "system"),
                Usage = message.Message?["usage"]?.DeepClone() as JsonObject,
                FinishReason = Normalization.Str(message.Message, "stop_reason"),
                TimeToFirstTokenMs = message.FirstTokenMs ?? (exchange.FirstByteMs is { } f ? (long)Math.Round(f) : null),
                TotalMs = (long)Math.Round(exchange.TotalMs),
            };
            var meta = new JsonObject();
            if (Normalization.Str(message.Message, "stop_sequence") is { } stop)
            {
                meta["stop_sequence"] = stop;
            }

            if (message.Error is not null)
            {
                meta["error"] = message.Error;
            }

            answer = n.Answer(Blocks(n, message.Message?["content"]), generation, id, meta);
        }

        return new NormalizedExchange
        {
            Prompt = prompt,
            Answer = answer,
            Model = model,
            Blobs = n.Blobs,
            AnswerKeys = n.AnswerKeys(id),
            Title = Normalization.Title(prompt),
        };
    }

    private static List<ContentBlock> Blocks(Normalization n, JsonNode? content)
    {
        var blocks = new List<ContentBlock>();
        if (content is JsonValue v && v.TryGetValue<string>(out var text))
        {
            if (text.Length > 0)
            {
                blocks.Add(new TextBlock(text));
            }

            return blocks;
        }

        foreach (var block in (content as JsonArray ?? []).OfType<JsonObject>())
        {
            var type = Normalization.Str(block, "type");
            var source = block["source"] as JsonObject;
            blocks.Add(type switch
            {
                "text" when Normalization.Str(block, "text") is { } t => new TextBlock(t),
                "image" or "document" when Normalization.Str(source, "type") == "base64"
                    => n.Base64(type, Normalization.Str(source, "data"), Normalization.Str(source, "media_type"), block, type),
                "tool_use" or "server_tool_use" => new ToolCallBlock(Normalization.Str(block, "id"), Normalization.Str(block, "name") ?? "", block["input"]?.DeepClone()),
                "tool_result" => new ToolResultBlock(Normalization.Str(block, "tool_use_id"), Blocks(n, block["content"]), block["is_error"] is JsonValue e && e.TryGetValue<bool>(out var isError) && isError),
                "thinking" => new ThinkingBlock(Normalization.Str(block, "thinking") ?? "", Normalization.Str(block, "signature")),
                "redacted_thinking" => new ThinkingBlock("", Normalization.Str(block, "data"), Redacted: true),
                _ => new OpaqueBlock("anthropic", type ?? "block", block.DeepClone()),
            });
        }

        return blocks;
    }

    /// <summary>The message object: the body, or assembled from the stream's events (what arrived, for a cut stream).</summary>
    private static Assembled? Message(Normalization n, RawExchange exchange)
    {
        if (exchange.Status is null)
        {
            return new Assembled(); // no response: an empty interrupted answer keeps the instance id findable
        }

        if (!exchange.Streamed)
        {
            return new Assembled { Message = Normalization.ParseObject(exchange.ResponseBody.Span) };
        }

        var result = new Assembled();
        var blocks = new SortedDictionary<int, JsonObject>();
        var partialJson = new Dictionary<int, StringBuilder>();
        foreach (var e in SseEvent.Parse(exchange.ResponseBody.Span))
        {
            if (Normalization.ParseObject(e.Data) is not { } data)
            {
                continue;
            }

            var index = (int)(Normalization.Long(data, "index") ?? 0);
            switch (Normalization.Str(data, "type") ?? e.Name)
            {
                case "message_start" when data["message"] is JsonObject m:
                    result.Message = (JsonObject)m.DeepClone();
                    break;
                case "content_block_start" when data["content_block"] is JsonObject b:
                    blocks[index] = (JsonObject)b.DeepClone();
                    break;
                case "content_block_delta" when data["delta"] is JsonObject d && blocks.TryGetValue(index, out var block):
                    result.FirstTokenMs ??= n.ArrivalMs(e.End);
                    switch (Normalization.Str(d, "type"))
                    {
                        case "text_delta":
                            block["text"] = Normalization.Str(block, "text") + Normalization.Str(d, "text");
                            break;
                        case "thinking_delta":
                            block["thinking"] = Normalization.Str(block, "thinking") + Normalization.Str(d, "thinking");
                            break;
                        case "signature_delta":
                            block["signature"] = Normalization.Str(block, "signature") + Normalization.Str(d, "signature");
                            break;
                        case "input_json_delta":
                            (partialJson.TryGetValue(index, out var sb) ? sb : partialJson[index] = new StringBuilder()).Append(Normalization.Str(d, "partial_json"));
                            break;
                    }

                    break;
                case "message_delta":
                    result.Message ??= [];
                    foreach (var (k, v) in data["delta"] as JsonObject ?? [])
                    {
                        result.Message[k] = v?.DeepClone();
                    }

                    if (data["usage"] is JsonObject usage)
                    {
                        if (result.Message["usage"] is not JsonObject merged)
                        {
                            result.Message["usage"] = merged = [];
                        }

                        foreach (var (k, v) in usage)
                        {
                            merged[k] = v?.DeepClone();
                        }
                    }

                    break;
                case "error":
                    result.Error = data["error"]?.DeepClone() ?? data.DeepClone();
                    break;
            }
        }

        foreach (var (index, json) in partialJson)
        {
            if (blocks.TryGetValue(index, out var block))
            {
                block["input"] = Normalization.Arguments(json.ToString());
            }
        }

        result.Message ??= [];
        result.Message["content"] = new JsonArray(blocks.Values.Select(b => (JsonNode)b).ToArray());
        return result;
    }

    private sealed class Assembled
    {
        public JsonObject? Message { get; set; }

        public long? FirstTokenMs { get; set; }

        public JsonNode? Error { get; set; }
    }
}

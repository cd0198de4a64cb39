using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Proxy.Exchanges;

namespace Amber.Proxy.Protocols;

/// <summary>
/// OpenAI Responses (<c>POST /v1/responses</c>). A call continuing through <c>previous_response_id</c>
/// does not repeat the history, so its prompt is attached under the answer of that response
/// (key <c>response:openai:ID</c>); one continuing a <c>conversation</c> under that conversation's latest answer
/// (resolved by <see cref="ArchiveSink"/>).
/// </summary>
internal sealed class OpenAiResponsesProtocol : IProtocol
{
    private static readonly string[] FinalEvents = ["response.completed", "response.incomplete", "response.failed", "error"];

    public string Source => "openai.responses";

    public string Provider => "openai";

    public bool IsFinalEvent(ReadOnlySpan<byte> rawEvent)
    {
        foreach (var name in FinalEvents)
        {
            if (SseEvent.HasLine(rawEvent, Encoding.UTF8.GetBytes("event: " + name)))
            {
                return true;
            }
        }

        return false;
    }

    public byte[]? InjectNotice(ReadOnlyMemory<byte> body, string notice)
    {
        if (Normalization.ParseObject(body.Span) is not { } request)
        {
            return null;
        }

        request["instructions"] = Normalization.Str(request, "instructions") is { Length: > 0 } existing ? $"{existing}\n\n{notice}" : notice;
        return Encoding.UTF8.GetBytes(request.ToJsonString());
    }

    public NormalizedExchange Normalize(RawExchange exchange)
    {
        var n = new Normalization(exchange, Provider);
        var request = n.Request;
        var prompt = new List<Node>();
        if (Normalization.Str(request, "instructions") is { Length: > 0 } instructions)
        {
            prompt.Add(Normalization.Message("system", [new TextBlock(instructions)]));
        }

        switch (request?["input"])
        {
            case JsonValue v when v.TryGetValue<string>(out var text):
                prompt.Add(Normalization.Message("user", text.Length == 0 ? [] : [new TextBlock(text)]));
                break;
            case JsonArray items:
                prompt.AddRange(Items(n, items.OfType<JsonObject>()));
                break;
        }

        var conversation = request?["conversation"] switch
        {
            JsonValue c when c.TryGetValue<string>(out var id) => id,
            JsonObject c => Normalization.Str(c, "id"),
            _ => null,
        };
        var continues = Normalization.Str(request, "previous_response_id") is { } previous ? $"response:openai:{previous}" : null;

        var response = n.Succeeded || exchange.Interrupted ? ResponseObject(exchange) : null;
        var model = n.Model(Normalization.Str(response?.Response, "model"), null, exchange.ResponseHeader("openai-version"));
        Node? answer = null;
        var responseId = Normalization.Str(response?.Response, "id");
        if (response is not null)
        {
            var output = response.Response?["output"] as JsonArray;
            var items = output?.OfType<JsonObject>().ToList() ?? response.DoneItems;
            var content = Items(n, items).SelectMany(node => node.Content).ToList();
            if (response.Response?["output"] is null && response.PartialText.Length > 0)
            {
                content.Add(new TextBlock(response.PartialText.ToString()));
            }

            var status = Normalization.Str(response.Response, "status");
            var reason = Normalization.Str(response.Response?["incomplete_details"], "reason");
            var generation = new GenerationRecord
            {
                Model = model.Id,
                Parameters = n.Parameters("input", "instructions"),
                Seed = Normalization.Long(request, "seed"),
                Usage = response.Response?["usage"]?.DeepClone() as JsonObject,
                FinishReason = reason ?? status,
                TimeToFirstTokenMs = response.FirstTokenMs ?? (exchange.FirstByteMs is { } f ? (long)Math.Round(f) : null),
                TotalMs = (long)Math.Round(exchange.TotalMs),
            };
            answer = n.Answer(content, generation, responseId, response.Response?["error"] is JsonObject error ? new JsonObject { ["error"] = error.DeepClone() } : null);
        }

        var keys = n.AnswerKeys(responseId);
        return new NormalizedExchange
        {
            Prompt = prompt,
            Answer = answer,
            Model = model,
            Blobs = n.Blobs,
            ContinuesFrom = continues,
            AnswerKeys = keys,
            Title = Normalization.Title(prompt),
            Conversation = conversation,
        };
    }

    /// <summary>Input or output items as nodes: messages by role, and consecutive assistant items (reasoning, message, function calls) as one assistant node.</summary>
    private static List<Node> Items(Normalization n, IEnumerable<JsonObject> items)
    {
        var nodes = new List<Node>();
        List<ContentBlock>? assistant = null;
        void Flush()
        {
            if (assistant is not null)
            {
                nodes.Add(Normalization.Message("assistant", assistant));
                assistant = null;
            }
        }

        foreach (var item in items)
        {
            var type = Normalization.Str(item, "type");
            var role = Normalization.Str(item, "role");
            switch (type)
            {
                case "function_call" or "custom_tool_call":
                    (assistant ??= []).Add(new ToolCallBlock(
                        Normalization.Str(item, "call_id"),
                        Normalization.Str(item, "name") ?? "",
                        type == "function_call" ? Normalization.Arguments(Normalization.Str(item, "arguments")) : item["input"]?.DeepClone()));
                    continue;
                case "reasoning":
                    var summary = string.Join("\n\n", (item["summary"] as JsonArray ?? []).Select(s => Normalization.Str(s, "text")).Where(t => t is not null));
                    (assistant ??= []).Add(new ThinkingBlock(summary, Normalization.Str(item, "encrypted_content")));
                    continue;
                case "message" or null when role == "assistant":
                    (assistant ??= []).AddRange(Parts(n, item["content"]));
                    continue;
            }

            Flush();
            if (type is "function_call_output" or "custom_tool_call_output")
            {
                var output = item["output"] switch
                {
                    JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0 ? [] : [new TextBlock(s)],
                    JsonArray parts => Parts(n, parts),
                    _ => new List<ContentBlock>(),
                };
                nodes.Add(Normalization.Message("tool", [new ToolResultBlock(Normalization.Str(item, "call_id"), output)]));
            }
            else if (role is not null && type is null or "message")
            {
                nodes.Add(Normalization.Message(role, Parts(n, item["content"])));
            }
            else
            {
                nodes.Add(Normalization.Message(role ?? "user", [new OpaqueBlock("openai", type ?? "item", item.DeepClone())]));
            }
        }

        Flush();
        return nodes;
    }

    private static List<ContentBlock> Parts(Normalization n, JsonNode? content)
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

        foreach (var part in (content as JsonArray ?? []).OfType<JsonObject>())
        {
            var type = Normalization.Str(part, "type");
            blocks.Add(type switch
            {
                "input_text" or "output_text" or "text" when Normalization.Str(part, "text") is { } t => new TextBlock(t),
                "refusal" when Normalization.Str(part, "refusal") is { } r => new TextBlock(r),
                "input_image" when Normalization.Str(part, "image_url") is { } url => n.ImageUrl(url, part),
                "input_file" when Normalization.Str(part, "file_data") is { } data => n.ImageUrl(data.StartsWith("data:", StringComparison.Ordinal) ? data : "data:application/octet-stream;base64," + data, part) is BlobBlock b
                    ? b with { BlobKind = "file", Name = Normalization.Str(part, "filename") }
                    : new OpaqueBlock("openai", "input_file", part.DeepClone()),
                _ => new OpaqueBlock("openai", type ?? "part", part.DeepClone()),
            });
        }

        return blocks;
    }

    /// <summary>The response object: the body, or the stream's final <c>response.*</c> event; for a cut stream, the items and text seen so far.</summary>
    private static Streamed? ResponseObject(RawExchange exchange)
    {
        if (exchange.Status is null)
        {
            return new Streamed(); // no response: an empty interrupted answer keeps the instance id findable
        }

        if (!exchange.Streamed)
        {
            return new Streamed { Response = Normalization.ParseObject(exchange.ResponseBody.Span) };
        }

        var n = new Normalization(exchange, "openai");
        var result = new Streamed();
        var doneItems = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in SseEvent.Parse(exchange.ResponseBody.Span))
        {
            if (Normalization.ParseObject(e.Data) is not { } data)
            {
                continue;
            }

            var type = Normalization.Str(data, "type") ?? e.Name;
            switch (type)
            {
                case "response.created" or "response.in_progress":
                    result.Response ??= data["response"]?.DeepClone() as JsonObject;
                    if (result.Response is not null)
                    {
                        result.Response.Remove("output");
                    }

                    break;
                case "response.completed" or "response.incomplete" or "response.failed":
                    result.Response = data["response"]?.DeepClone() as JsonObject;
                    break;
                case "response.output_item.done" when data["item"] is JsonObject item:
                    result.DoneItems.Add((JsonObject)item.DeepClone());
                    if (Normalization.Str(item, "id") is { } id)
                    {
                        doneItems.Add(id);
                        result.PartialText.Clear();
                    }

                    break;
                case "response.output_text.delta" or "response.refusal.delta" or "response.function_call_arguments.delta":
                    result.FirstTokenMs ??= n.ArrivalMs(e.End);
                    if (type != "response.function_call_arguments.delta" && !doneItems.Contains(Normalization.Str(data, "item_id") ?? ""))
                    {
                        result.PartialText.Append(Normalization.Str(data, "delta"));
                    }

                    break;
                case "error":
                    result.Response ??= [];
                    result.Response["error"] = data.DeepClone();
                    break;
            }
        }

        return result;
    }

    private sealed class Streamed
    {
        public JsonObject? Response { get; set; }

        public List<JsonObject> DoneItems { get; } = [];

        public StringBuilder PartialText { get; } = new();

        public long? FirstTokenMs { get; set; }
    }
}

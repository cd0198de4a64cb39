using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;

namespace Amber.Proxy.Otlp;

/// <summary>
/// The messages of a GenAI span as nodes, from whichever form the instrumentation sends: the
/// <c>gen_ai.system_instructions</c>, <c>gen_ai.input.messages</c> and <c>gen_ai.output.messages</c>
/// attributes of current semantic conventions (role + typed parts), the older per-message events
/// (<c>gen_ai.user.message</c>, <c>gen_ai.choice</c>… with <c>gen_ai.event.content</c>), or the flattened
/// <c>gen_ai.prompt.N.*</c>/<c>gen_ai.completion.N.*</c> attributes of OpenLLMetry.
/// Throws <see cref="OtlpPayloadException"/> when a messages attribute is present but not readable.
/// </summary>
internal sealed class GenAiMessages(OtlpSpan span)
{
    public const string Provider = "otlp";

    private readonly List<ReadOnlyMemory<byte>> blobs = [];
    private readonly HashSet<string> blobIds = new(StringComparer.Ordinal);

    public IReadOnlyList<ReadOnlyMemory<byte>> Blobs => blobs;

    /// <summary>The request's messages in order (system instructions first); empty when the span carries none.</summary>
    public List<Node> Prompt()
    {
        var nodes = new List<Node>();
        if (Attribute("gen_ai.system_instructions") is { } instructions)
        {
            var parts = instructions is JsonArray a ? a : new JsonArray(new JsonObject { ["type"] = "text", ["content"] = instructions.DeepClone() });
            nodes.Add(ToNode("system", parts));
        }

        if (Attribute("gen_ai.input.messages") is { } input)
        {
            nodes.AddRange(Messages(input, "gen_ai.input.messages").Select(m => ToNode(Role(m), m["parts"] as JsonArray ?? [])));
            return nodes;
        }

        foreach (var e in span.Events)
        {
            if (e.Name is "gen_ai.system.message" or "gen_ai.user.message" or "gen_ai.assistant.message" or "gen_ai.tool.message")
            {
                nodes.Add(EventNode(e, e.Name["gen_ai.".Length..^".message".Length]));
            }
        }

        if (nodes.Count == 0)
        {
            nodes.AddRange(Flattened("gen_ai.prompt"));
        }

        return nodes;
    }

    /// <summary>The answer's content blocks and finish reason; null when the span carries no output.</summary>
    public (List<ContentBlock> Content, string? FinishReason)? Answer()
    {
        if (Attribute("gen_ai.output.messages") is { } output)
        {
            var messages = Messages(output, "gen_ai.output.messages");
            var content = messages.SelectMany(m => Blocks(m["parts"] as JsonArray ?? [])).ToList();
            var finish = messages.Select(m => m["finish_reason"] is JsonValue v && v.TryGetValue<string>(out var f) ? f : null).FirstOrDefault(f => f is not null);
            return (content, finish);
        }

        var choices = span.Events.Where(e => e.Name == "gen_ai.choice").ToList();
        if (choices.Count > 0)
        {
            var content = new List<ContentBlock>();
            string? finish = null;
            foreach (var choice in choices)
            {
                var body = EventBody(choice);
                finish ??= Text(body["finish_reason"]);
                var message = body["message"] as JsonObject ?? body;
                content.AddRange(EventNode(message).Content);
            }

            return (content, finish);
        }

        var flattened = Flattened("gen_ai.completion");
        return flattened.Count == 0 ? null : (flattened.SelectMany(n => n.Content).ToList(), Text(Attribute("gen_ai.completion.0.finish_reason")));
    }

    private JsonNode? Attribute(string name) => span.Attributes.TryGetPropertyValue(name, out var v) ? v : null;

    /// <summary>A messages attribute: a JSON string (what SDKs send today) or an already structured array.</summary>
    private List<JsonObject> Messages(JsonNode value, string name)
    {
        var parsed = value;
        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            try
            {
                parsed = JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                throw new OtlpPayloadException($"{span.Location}: attribute {name} is not valid JSON ({e.Message}).", e);
            }
        }

        if (parsed is not JsonArray array || array.Any(m => m is not JsonObject))
        {
            throw new OtlpPayloadException($"{span.Location}: attribute {name} is not an array of message objects.");
        }

        return array.Select(m => (JsonObject)m!).ToList();
    }

    private static string Role(JsonObject message) => Text(message["role"]) ?? "user";

    private Node ToNode(string role, JsonArray parts)
    {
        var content = Blocks(parts);
        return new Node { Role = role, Content = content, Flags = content.Count == 0 ? [NodeFlags.Empty] : [] };
    }

    private List<ContentBlock> Blocks(JsonArray parts)
    {
        var blocks = new List<ContentBlock>();
        foreach (var p in parts)
        {
            if (p is not JsonObject part)
            {
                blocks.Add(new OpaqueBlock(Provider, "part", p?.DeepClone()));
                continue;
            }

            switch (Text(part["type"]))
            {
                case "text":
                    if (Text(part["content"]) is { Length: > 0 } text)
                    {
                        blocks.Add(new TextBlock(text));
                    }

                    break;
                case "reasoning":
                    blocks.Add(new ThinkingBlock(Text(part["content"]) ?? ""));
                    break;
                case "tool_call":
                    blocks.Add(new ToolCallBlock(Text(part["id"]), Text(part["name"]) ?? "", part["arguments"]?.DeepClone()));
                    break;
                case "tool_call_response":
                    var response = part["response"] ?? part["result"];
                    List<ContentBlock> result = response switch
                    {
                        null => [],
                        JsonValue r when r.TryGetValue<string>(out var s) => [new TextBlock(s)],
                        _ => [new TextBlock(response.ToJsonString())],
                    };
                    blocks.Add(new ToolResultBlock(Text(part["id"]), result));
                    break;
                case "blob" when Text(part["content"]) is { } base64 && TryBase64(base64) is { } bytes:
                    var media = Text(part["mime_type"]) ?? Text(part["media_type"]);
                    var kind = Text(part["modality"]) is "image" or "audio" or "video" ? Text(part["modality"])! : media?.Split('/')[0] is "image" or "audio" or "video" ? media.Split('/')[0] : "file";
                    blocks.Add(Blob(kind, bytes, media));
                    break;
                default:
                    blocks.Add(new OpaqueBlock(Provider, Text(part["type"]) ?? "part", part.DeepClone()));
                    break;
            }
        }

        return blocks;
    }

    private BlobBlock Blob(string kind, byte[] bytes, string? mediaType)
    {
        var id = ContentId.Of(bytes);
        if (blobIds.Add(id))
        {
            blobs.Add(bytes);
        }

        return new BlobBlock(kind, id, mediaType, null, bytes.Length);
    }

    private static byte[]? TryBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>An older-convention event's body: <c>gen_ai.event.content</c> (JSON text), else its attributes.</summary>
    private JsonObject EventBody(OtlpEvent e)
    {
        if (e.Attributes["gen_ai.event.content"] is JsonValue v && v.TryGetValue<string>(out var text))
        {
            try
            {
                return JsonNode.Parse(text) as JsonObject ?? new JsonObject { ["content"] = text };
            }
            catch (JsonException ex)
            {
                throw new OtlpPayloadException($"{span.Location}: event {e.Name} has gen_ai.event.content that is not valid JSON ({ex.Message}).", ex);
            }
        }

        return e.Attributes;
    }

    private Node EventNode(OtlpEvent e, string role)
    {
        var node = EventNode(EventBody(e));
        return node with { Role = Text(EventBody(e)["role"]) ?? role };
    }

    /// <summary>A message of the older shape: <c>content</c> (text or parts) and OpenAI-style <c>tool_calls</c>.</summary>
    private Node EventNode(JsonObject body)
    {
        var content = new List<ContentBlock>();
        switch (body["content"])
        {
            case JsonValue v when v.TryGetValue<string>(out var text) && text.Length > 0:
                content.Add(body["id"] is { } id && Text(body["role"]) == "tool" ? new ToolResultBlock(Text(id), [new TextBlock(text)]) : new TextBlock(text));
                break;
            case JsonArray parts:
                content.AddRange(Blocks(parts));
                break;
            case JsonObject o:
                content.Add(new TextBlock(o.ToJsonString()));
                break;
        }

        if (body["tool_calls"] is JsonArray calls)
        {
            foreach (var call in calls.OfType<JsonObject>())
            {
                var function = call["function"] as JsonObject ?? call;
                content.Add(new ToolCallBlock(Text(call["id"]), Text(function["name"]) ?? "", function["arguments"]?.DeepClone()));
            }
        }

        return new Node { Role = Text(body["role"]) ?? "assistant", Content = content, Flags = content.Count == 0 ? [NodeFlags.Empty] : [] };
    }

    /// <summary>OpenLLMetry's <c>PREFIX.N.role</c> / <c>PREFIX.N.content</c> attributes, in index order.</summary>
    private List<Node> Flattened(string prefix)
    {
        var nodes = new List<Node>();
        for (var i = 0; ; i++)
        {
            var role = Text(Attribute($"{prefix}.{i}.role"));
            var text = Text(Attribute($"{prefix}.{i}.content"));
            if (role is null && text is null)
            {
                return nodes;
            }

            var content = string.IsNullOrEmpty(text) ? new List<ContentBlock>() : [new TextBlock(text)];
            nodes.Add(new Node { Role = role ?? "assistant", Content = content, Flags = content.Count == 0 ? [NodeFlags.Empty] : [] });
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

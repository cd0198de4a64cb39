using System.Text.Json.Nodes;

namespace Amber.Proxy.Tests.Otlp;

/// <summary>Synthetic OTLP/JSON trace exports written by hand, as the spec's JSON mapping has them (hex ids, 64-bit integers as strings, enums as numbers).</summary>
internal static class OtlpPayloads
{
    public const string TraceId = "5b8efff798038103d269b633813fc60c";

    public static JsonObject KeyValue(string key, JsonObject value) => new() { ["key"] = key, ["value"] = value };

    public static JsonObject Str(string s) => new() { ["stringValue"] = s };

    public static JsonObject Int(long n) => new() { ["intValue"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    public static JsonObject Dbl(double d) => new() { ["doubleValue"] = d };

    /// <summary>A chat span from an app that sends content as the current conventions' message attributes.</summary>
    public static JsonObject ChatSpan(string spanId, string question, string answer, long startNano = 1_765_000_000_000_000_000, params JsonObject[] extra)
    {
        var attributes = new JsonArray
        {
            KeyValue("gen_ai.operation.name", Str("chat")),
            KeyValue("gen_ai.provider.name", Str("openai")),
            KeyValue("gen_ai.request.model", Str("gpt-4o-mini")),
            KeyValue("gen_ai.response.model", Str("gpt-4o-mini-2024-07-18")),
            KeyValue("gen_ai.request.temperature", Dbl(0.5)),
            KeyValue("gen_ai.usage.input_tokens", Int(12)),
            KeyValue("gen_ai.usage.output_tokens", Int(3)),
            KeyValue("gen_ai.input.messages", Str($$"""[{"role":"user","parts":[{"type":"text","content":"{{question}}"}]}]""")),
            KeyValue("gen_ai.output.messages", Str($$"""[{"role":"assistant","parts":[{"type":"text","content":"{{answer}}"}],"finish_reason":"stop"}]""")),
        };
        foreach (var e in extra)
        {
            attributes.Add(e);
        }

        return new JsonObject
        {
            ["traceId"] = TraceId,
            ["spanId"] = spanId,
            ["name"] = "chat gpt-4o-mini",
            ["kind"] = 3,
            ["startTimeUnixNano"] = startNano.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["endTimeUnixNano"] = (startNano + 1_500_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["attributes"] = attributes,
            ["status"] = new JsonObject(),
        };
    }

    /// <summary>A span that is not GenAI (an HTTP client call).</summary>
    public static JsonObject HttpSpan(string spanId) => new()
    {
        ["traceId"] = TraceId,
        ["spanId"] = spanId,
        ["name"] = "GET",
        ["kind"] = 3,
        ["startTimeUnixNano"] = "1765000000000000000",
        ["endTimeUnixNano"] = "1765000000100000000",
        ["attributes"] = new JsonArray { KeyValue("http.request.method", Str("GET")), KeyValue("http.response.status_code", Int(200)) },
    };

    public static string Request(params JsonObject[] spans) => Request([], spans);

    public static string Request(JsonArray resourceAttributes, params JsonObject[] spans) => new JsonObject
    {
        ["resourceSpans"] = new JsonArray
        {
            new JsonObject
            {
                ["resource"] = new JsonObject { ["attributes"] = resourceAttributes },
                ["scopeSpans"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["scope"] = new JsonObject { ["name"] = "Experimental.Microsoft.Extensions.AI" },
                        ["spans"] = new JsonArray(spans.Select(s => (JsonNode?)s).ToArray()),
                    },
                },
            },
        },
    }.ToJsonString();
}

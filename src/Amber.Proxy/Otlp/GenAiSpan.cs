using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Capture;
using Amber.Core.Model;
using Amber.Core.Time;

namespace Amber.Proxy.Otlp;

/// <summary>
/// One GenAI model-call span as a captured exchange (source <c>otlp</c>), recorded and stitched like a
/// gateway call: system, request and response model, <c>gen_ai.request.*</c> parameters,
/// <c>gen_ai.usage.*</c>, and the input and output messages where the app sent them. A span without any
/// message content becomes a metadata-only record: a prompt marker naming its trace, and an empty answer
/// flagged <see cref="MetadataOnlyFlag"/> whose parameters stay in <c>meta</c> (so it grades T4: nothing
/// of it can be replayed).
/// </summary>
internal static class GenAiSpan
{
    public const string Source = "otlp";

    /// <summary>The flag of an answer whose span carried no message content.</summary>
    public const string MetadataOnlyFlag = "metadata_only";

    public const string RawType = "amber.otlp-span/v1";

    private static readonly JsonSerializerOptions RawOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Operations that are one model call; other <c>gen_ai.*</c> spans (embeddings, tools, agents) are not exchanges.</summary>
    private static readonly HashSet<string> ModelCalls = new(StringComparer.Ordinal) { "chat", "text_completion", "generate_content", "completion" };

    /// <summary>The key of the answer recorded for a span, which makes a re-sent span add nothing.</summary>
    public static string Key(string traceId, string spanId) => $"otlp:{traceId}:{spanId}";

    /// <summary>True when the span is a model call by the GenAI conventions.</summary>
    public static bool IsModelCall(OtlpSpan span)
    {
        var a = span.Attributes;
        if (Text(a, "gen_ai.operation.name") is { } operation)
        {
            return ModelCalls.Contains(operation);
        }

        return a.ContainsKey("gen_ai.request.model") || a.ContainsKey("gen_ai.response.model") || a.ContainsKey("gen_ai.input.messages") || a.ContainsKey("gen_ai.prompt.0.content");
    }

    /// <summary>True when the span has any <c>gen_ai.*</c> attribute (a GenAI span that is not a model call is counted apart).</summary>
    public static bool IsGenAi(OtlpSpan span) => span.Attributes.Any(a => a.Key.StartsWith("gen_ai.", StringComparison.Ordinal));

    /// <summary>The exchange for the recorder. Throws <see cref="OtlpPayloadException"/> when the span cannot be read (ids, message attributes).</summary>
    public static CapturedExchange ToCaptured(OtlpSpan span, string? tenant)
    {
        if (span.TraceId.Length != 32 || span.SpanId.Length != 16)
        {
            throw new OtlpPayloadException($"{span.Location}: a span needs a 16-byte trace id and an 8-byte span id.");
        }

        var a = span.Attributes;
        var messages = new GenAiMessages(span);
        var prompt = messages.Prompt();
        var output = messages.Answer();
        var metadataOnly = prompt.Count == 0 && output is null;
        var model = new ModelReference
        {
            Provider = Text(a, "gen_ai.provider.name") ?? Text(a, "gen_ai.system") ?? "unknown",
            Requested = Text(a, "gen_ai.request.model"),
            Resolved = Text(a, "gen_ai.response.model"),
        };
        var safe = SpanRedaction.Redact(a, "", []);
        var parameters = Prefixed(safe, "gen_ai.request.", except: "gen_ai.request.model");
        var usage = Prefixed(safe, "gen_ai.usage.");
        var finish = output?.FinishReason ?? FirstFinishReason(a["gen_ai.response.finish_reasons"]);

        var meta = new JsonObject
        {
            ["source"] = Source,
            ["trace_id"] = span.TraceId,
            ["span_id"] = span.SpanId,
        };
        if (span.ParentSpanId is { } parentSpan)
        {
            meta["parent_span_id"] = parentSpan;
        }

        if (Text(span.Resource, "service.name") is { } service)
        {
            meta["service"] = service;
        }

        if (span.ScopeName is { } scope)
        {
            meta["instrumentation"] = scope;
        }

        if (Text(a, "gen_ai.response.id") is { } responseId)
        {
            meta["response_id"] = responseId;
        }

        var flags = new List<string>();
        var content = output?.Content ?? [];
        if (content.Count == 0)
        {
            flags.Add(NodeFlags.Empty);
        }

        if (metadataOnly)
        {
            flags.Add(MetadataOnlyFlag);
            meta["content"] = "not_captured";
            if (parameters is not null)
            {
                meta["parameters"] = parameters;
                parameters = null;
            }

            prompt = [NotCaptured("content_not_captured", span)];
        }
        else if (output is null)
        {
            meta["content"] = "output_not_captured";
        }
        else if (prompt.Count == 0)
        {
            // Output without input (an app that records only completions): the answer still needs a prompt to hang from.
            meta["content"] = "input_not_captured";
            prompt = [NotCaptured("input_not_captured", span)];
        }

        if (span.StatusCode == 2)
        {
            flags.Add(NodeFlags.Interrupted);
            meta["error"] = span.StatusMessage ?? Text(a, "error.type") ?? "error";
        }

        var answer = new Node
        {
            Role = "assistant",
            Content = content,
            Created = Timestamps.Format(Time(span.EndUnixNano != 0 ? span.EndUnixNano : span.StartUnixNano)),
            Flags = flags,
            Meta = meta,
            Generation = new GenerationRecord
            {
                Model = model.Id,
                Parameters = parameters,
                Seed = a["gen_ai.request.seed"] is JsonValue s && s.TryGetValue<long>(out var seed) ? seed : null,
                Usage = usage,
                FinishReason = finish,
                TotalMs = span.EndUnixNano >= span.StartUnixNano && span.StartUnixNano != 0 ? (long)((span.EndUnixNano - span.StartUnixNano) / 1_000_000) : null,
            },
        };

        var keys = new List<string> { Key(span.TraceId, span.SpanId) };
        if (Text(a, "gen_ai.response.id") is { } rid)
        {
            keys.Add($"response:{Source}:{rid}");
        }

        var operation = Text(a, "gen_ai.operation.name") ?? "chat";
        return new CapturedExchange
        {
            Source = Source,
            Tenant = tenant,
            Prompt = prompt,
            Answer = answer,
            Model = model,
            Blobs = messages.Blobs,
            Raw = RawDocument(span),
            ContinuesFrom = Text(a, "gen_ai.conversation.id") is { } conversation ? $"response:{Source}:{conversation}" : null,
            AnswerKeys = keys,
            Title = metadataOnly ? $"{operation} {model.DisplayName} (metadata only: the app did not send message content)" : null,
        };
    }

    /// <summary>The prompt marker of a span whose request content was not sent; it names the trace, so a trace's such calls share one conversation.</summary>
    private static Node NotCaptured(string what, OtlpSpan span) => new()
    {
        Role = "request",
        Content = [new OpaqueBlock(Source, what, new JsonObject { ["trace_id"] = span.TraceId })],
        Flags = [NodeFlags.Empty],
    };

    /// <summary>The span as stored (<c>amber.otlp-span/v1</c>): every field the receiver read, secrets removed and their names listed. Deterministic, so a re-sent span stores the same bytes.</summary>
    public static byte[] RawDocument(OtlpSpan span)
    {
        var removed = new List<string>();
        var attributes = SpanRedaction.Redact(span.Attributes, "", removed);
        var resource = SpanRedaction.Redact(span.Resource, "resource.", removed);
        var events = new JsonArray();
        for (var i = 0; i < span.Events.Count; i++)
        {
            var e = span.Events[i];
            events.Add(new JsonObject
            {
                ["time_unix_nano"] = e.TimeUnixNano.ToString(CultureInfo.InvariantCulture),
                ["name"] = e.Name,
                ["attributes"] = SpanRedaction.Redact(e.Attributes, $"events[{i}].", removed),
            });
        }

        var doc = new JsonObject
        {
            ["type"] = RawType,
            ["trace_id"] = span.TraceId,
            ["span_id"] = span.SpanId,
            ["parent_span_id"] = span.ParentSpanId,
            ["name"] = span.Name,
            ["kind"] = span.Kind,
            ["start_time_unix_nano"] = span.StartUnixNano.ToString(CultureInfo.InvariantCulture),
            ["end_time_unix_nano"] = span.EndUnixNano.ToString(CultureInfo.InvariantCulture),
            ["status"] = new JsonObject { ["code"] = span.StatusCode, ["message"] = span.StatusMessage },
            ["resource"] = resource,
            ["scope"] = new JsonObject { ["name"] = span.ScopeName, ["version"] = span.ScopeVersion },
            ["attributes"] = attributes,
            ["events"] = events,
            ["removed_attributes"] = new JsonArray(removed.Select(r => (JsonNode?)r).ToArray()),
        };
        return JsonSerializer.SerializeToUtf8Bytes(doc, RawOptions);
    }

    /// <summary>The first of <c>gen_ai.response.finish_reasons</c>: a string array, or (as M.E.AI sends it) one string holding a JSON array.</summary>
    private static string? FirstFinishReason(JsonNode? value)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            try
            {
                value = text.StartsWith('[') ? JsonNode.Parse(text) : new JsonArray(text);
            }
            catch (JsonException)
            {
                return text;
            }
        }

        return value is JsonArray reasons && reasons.FirstOrDefault() is JsonValue first && first.TryGetValue<string>(out var reason) ? reason : null;
    }

    private static DateTimeOffset Time(ulong unixNano) => DateTimeOffset.UnixEpoch.AddTicks((long)Math.Min(unixNano / 100, (ulong)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks));

    /// <summary>The attributes under <paramref name="prefix"/>, named without it; null when there are none.</summary>
    private static JsonObject? Prefixed(JsonObject attributes, string prefix, string? except = null)
    {
        JsonObject? o = null;
        foreach (var (name, value) in attributes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name != except)
            {
                (o ??= [])[name[prefix.Length..]] = value?.DeepClone();
            }
        }

        return o;
    }

    private static string? Text(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

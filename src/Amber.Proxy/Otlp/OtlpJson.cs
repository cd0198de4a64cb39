using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Proxy.Otlp;

/// <summary>
/// OTLP/HTTP in JSON (the protobuf JSON mapping with OTLP's exceptions): trace and span ids in hex, enums
/// as numbers, 64-bit integers as strings or numbers, field names in lowerCamelCase (the proto's own
/// snake_case names are accepted too).
/// </summary>
internal static class OtlpJson
{
    public const string MediaType = "application/json";

    public static List<OtlpSpan> ReadRequest(ReadOnlySpan<byte> body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 96 });
        }
        catch (JsonException e)
        {
            throw new OtlpPayloadException($"ExportTraceServiceRequest: not valid JSON ({e.Message})", e);
        }

        if (root is not JsonObject request)
        {
            throw new OtlpPayloadException("ExportTraceServiceRequest: the body is not a JSON object.");
        }

        var spans = new List<OtlpSpan>();
        var resourceSpans = Array(request, "resourceSpans", "resource_spans", "ExportTraceServiceRequest");
        for (var i = 0; i < resourceSpans.Count; i++)
        {
            var where = $"resourceSpans[{i}]";
            var rs = Object(resourceSpans[i], where);
            var resource = Member(rs, "resource") is { } res ? Attributes(Object(res, where + ".resource"), where + ".resource") : [];
            var scopeSpans = Array(rs, "scopeSpans", "scope_spans", where);
            for (var j = 0; j < scopeSpans.Count; j++)
            {
                var swhere = $"{where}.scopeSpans[{j}]";
                var ss = Object(scopeSpans[j], swhere);
                var scope = Member(ss, "scope") is { } sc ? Object(sc, swhere + ".scope") : null;
                var list = Array(ss, "spans", "spans", swhere);
                for (var k = 0; k < list.Count; k++)
                {
                    var span = ReadSpan(Object(list[k], $"{swhere}.spans[{k}]"), $"{swhere}.spans[{k}]");
                    spans.Add(span with
                    {
                        Resource = (JsonObject)resource.DeepClone(),
                        ScopeName = String(scope, "name", swhere + ".scope"),
                        ScopeVersion = String(scope, "version", swhere + ".scope"),
                    });
                }
            }
        }

        return spans;
    }

    /// <summary>An <c>ExportTraceServiceResponse</c> in JSON: <c>{}</c> on full success, else <c>partialSuccess</c>.</summary>
    public static byte[] WriteResponse(long rejected, string? message)
    {
        var response = new JsonObject();
        if (rejected != 0 || !string.IsNullOrEmpty(message))
        {
            var partial = new JsonObject();
            if (rejected != 0)
            {
                partial["rejectedSpans"] = rejected.ToString(CultureInfo.InvariantCulture);
            }

            if (!string.IsNullOrEmpty(message))
            {
                partial["errorMessage"] = message;
            }

            response["partialSuccess"] = partial;
        }

        return JsonSerializer.SerializeToUtf8Bytes(response);
    }

    private static OtlpSpan ReadSpan(JsonObject s, string where)
    {
        var events = new List<OtlpEvent>();
        if (Member(s, "events") is not null)
        {
            var list = Array(s, "events", "events", where);
            for (var i = 0; i < list.Count; i++)
            {
                var ewhere = $"{where}.events[{i}]";
                var e = Object(list[i], ewhere);
                events.Add(new OtlpEvent(Unsigned(e, "timeUnixNano", "time_unix_nano", ewhere), String(e, "name", ewhere) ?? "", Attributes(e, ewhere)));
            }
        }

        var status = Member(s, "status") is { } st ? Object(st, where + ".status") : null;
        var parent = Id(s, "parentSpanId", "parent_span_id", where);
        return new OtlpSpan
        {
            TraceId = Id(s, "traceId", "trace_id", where) ?? "",
            SpanId = Id(s, "spanId", "span_id", where) ?? "",
            ParentSpanId = string.IsNullOrEmpty(parent) ? null : parent,
            Name = String(s, "name", where) ?? "",
            Kind = (int)Unsigned(s, "kind", "kind", where),
            StartUnixNano = Unsigned(s, "startTimeUnixNano", "start_time_unix_nano", where),
            EndUnixNano = Unsigned(s, "endTimeUnixNano", "end_time_unix_nano", where),
            Attributes = Attributes(s, where),
            Events = events,
            StatusCode = status is null ? 0 : (int)Unsigned(status, "code", "code", where + ".status"),
            StatusMessage = status is null ? null : String(status, "message", where + ".status"),
            Location = where,
        };
    }

    private static JsonObject Attributes(JsonObject owner, string where)
    {
        var attributes = new JsonObject();
        if (Member(owner, "attributes") is null)
        {
            return attributes;
        }

        var list = Array(owner, "attributes", "attributes", where);
        for (var i = 0; i < list.Count; i++)
        {
            AddKeyValue(Object(list[i], $"{where}.attributes[{i}]"), $"{where}.attributes[{i}]", attributes, 0);
        }

        return attributes;
    }

    private static void AddKeyValue(JsonObject kv, string where, JsonObject into, int depth)
    {
        var key = String(kv, "key", where) ?? throw new OtlpPayloadException($"{where}: an attribute without a key.");
        into[key] = Member(kv, "value") is { } v ? AnyValue(Object(v, where + ".value"), where + ".value", depth) : null;
    }

    private static JsonNode? AnyValue(JsonObject v, string where, int depth)
    {
        if (depth > 32)
        {
            throw new OtlpPayloadException($"{where}: attribute values nested deeper than 32.");
        }

        foreach (var (name, value) in v)
        {
            switch (name)
            {
                case "stringValue" or "string_value":
                    return String(v, name, where);
                case "boolValue" or "bool_value":
                    return value is JsonValue b && b.TryGetValue<bool>(out var flag) ? flag : throw Bad(where, name, "a boolean");
                case "intValue" or "int_value":
                    return Integer(value, where, name);
                case "doubleValue" or "double_value":
                    return Double(value, where, name);
                case "bytesValue" or "bytes_value":
                    return String(v, name, where);
                case "arrayValue" or "array_value":
                    var array = new JsonArray();
                    var arrayObject = Object(value, $"{where}.{name}");
                    if (Member(arrayObject, "values") is not null)
                    {
                        var items = Array(arrayObject, "values", "values", $"{where}.{name}");
                        for (var i = 0; i < items.Count; i++)
                        {
                            array.Add(AnyValue(Object(items[i], $"{where}.{name}.values[{i}]"), $"{where}.{name}.values[{i}]", depth + 1));
                        }
                    }

                    return array;
                case "kvlistValue" or "kvlist_value":
                    var o = new JsonObject();
                    var listObject = Object(value, $"{where}.{name}");
                    if (Member(listObject, "values") is not null)
                    {
                        var items = Array(listObject, "values", "values", $"{where}.{name}");
                        for (var i = 0; i < items.Count; i++)
                        {
                            AddKeyValue(Object(items[i], $"{where}.{name}.values[{i}]"), $"{where}.{name}.values[{i}]", o, depth + 1);
                        }
                    }

                    return o;
            }
        }

        return null; // an empty AnyValue
    }

    private static long Integer(JsonNode? value, string where, string name)
        => value is JsonValue v && (v.TryGetValue<long>(out var n) || (v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n)))
            ? n
            : throw Bad(where, name, "a 64-bit integer (a number or a decimal string)");

    private static double Double(JsonNode? value, string where, string name)
    {
        if (value is JsonValue v)
        {
            if (v.TryGetValue<double>(out var d))
            {
                return d;
            }

            if (v.TryGetValue<string>(out var s) && (s is "NaN" or "Infinity" or "-Infinity" || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d)))
            {
                return s switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => d };
            }
        }

        throw Bad(where, name, "a number");
    }

    private static ulong Unsigned(JsonObject o, string name, string snake, string where)
    {
        var value = Member(o, name) ?? Member(o, snake);
        if (value is null)
        {
            return 0;
        }

        return value is JsonValue v && (v.TryGetValue<ulong>(out var n) || (v.TryGetValue<string>(out var s) && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out n)))
            ? n
            : throw Bad(where, name, "an unsigned integer (a number or a decimal string)");
    }

    /// <summary>A trace or span id: hex in OTLP/JSON (not base64, unlike the plain protobuf JSON mapping).</summary>
    private static string? Id(JsonObject o, string name, string snake, string where)
    {
        var text = String(o, name, where) ?? String(o, snake, where);
        if (text is null || text.Length == 0)
        {
            return text;
        }

        if (text.Length % 2 != 0 || !text.All(char.IsAsciiHexDigit))
        {
            throw Bad(where, name, "a hex string (OTLP/JSON writes trace and span ids in hex)");
        }

        return text.ToLowerInvariant();
    }

    private static JsonNode? Member(JsonObject o, string name) => o.TryGetPropertyValue(name, out var v) ? v : null;

    private static string? String(JsonObject? o, string name, string where)
    {
        if (o is null || Member(o, name) is not { } value)
        {
            return null;
        }

        return value is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Bad(where, name, "a string");
    }

    private static JsonArray Array(JsonObject o, string name, string snake, string where)
    {
        var value = Member(o, name) ?? Member(o, snake);
        return value switch
        {
            null => [],
            JsonArray a => a,
            _ => throw Bad(where, name, "an array"),
        };
    }

    private static JsonObject Object(JsonNode? node, string where)
        => node as JsonObject ?? throw new OtlpPayloadException($"{where}: expected an object.");

    private static OtlpPayloadException Bad(string where, string name, string expected) => new($"{where}.{name}: expected {expected}.");
}

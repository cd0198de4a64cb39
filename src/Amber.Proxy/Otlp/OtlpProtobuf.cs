using System.Text.Json.Nodes;

namespace Amber.Proxy.Otlp;

/// <summary>
/// OTLP/HTTP in binary protobuf: <c>ExportTraceServiceRequest</c> read into spans, and the
/// <c>ExportTraceServiceResponse</c> written (opentelemetry-proto, trace/v1 and collector/trace/v1).
/// </summary>
internal static class OtlpProtobuf
{
    public const string MediaType = "application/x-protobuf";

    /// <summary>Every span of the request, with its resource and scope. Throws <see cref="OtlpPayloadException"/> naming the first malformed part.</summary>
    public static List<OtlpSpan> ReadRequest(ReadOnlySpan<byte> body)
    {
        var spans = new List<OtlpSpan>();
        var r = new ProtoReader(body, "ExportTraceServiceRequest");
        var resourceIndex = 0;
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1)
            {
                r.Expect(field, wire, ProtoReader.LengthDelimited);
                ReadResourceSpans(r.ReadBytes(), $"resourceSpans[{resourceIndex++}]", spans);
            }
            else
            {
                r.Skip(wire);
            }
        }

        return spans;
    }

    /// <summary>An <c>ExportTraceServiceResponse</c>: empty on full success, else <c>partial_success</c> {rejected_spans, error_message}.</summary>
    public static byte[] WriteResponse(long rejected, string? message)
    {
        if (rejected == 0 && string.IsNullOrEmpty(message))
        {
            return [];
        }

        var inner = new List<byte>();
        if (rejected != 0)
        {
            inner.Add(1 << 3);
            WriteVarint(inner, (ulong)rejected);
        }

        if (!string.IsNullOrEmpty(message))
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(message);
            inner.Add((2 << 3) | 2);
            WriteVarint(inner, (ulong)bytes.Length);
            inner.AddRange(bytes);
        }

        var outer = new List<byte> { (1 << 3) | 2 };
        WriteVarint(outer, (ulong)inner.Count);
        outer.AddRange(inner);
        return [.. outer];
    }

    private static void WriteVarint(List<byte> to, ulong value)
    {
        while (value >= 0x80)
        {
            to.Add((byte)(value | 0x80));
            value >>= 7;
        }

        to.Add((byte)value);
    }

    private static void ReadResourceSpans(ReadOnlySpan<byte> bytes, string where, List<OtlpSpan> spans)
    {
        var r = new ProtoReader(bytes, where);
        JsonObject resource = [];
        var scopeBytes = new List<byte[]>();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    resource = ReadResource(r.ReadBytes(), where + ".resource");
                    break;
                case 2:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    scopeBytes.Add(r.ReadBytes().ToArray()); // the resource may follow its scopes on the wire
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        for (var i = 0; i < scopeBytes.Count; i++)
        {
            ReadScopeSpans(scopeBytes[i], $"{where}.scopeSpans[{i}]", resource, spans);
        }
    }

    private static JsonObject ReadResource(ReadOnlySpan<byte> bytes, string where)
    {
        var r = new ProtoReader(bytes, where);
        var attributes = new JsonObject();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1)
            {
                r.Expect(field, wire, ProtoReader.LengthDelimited);
                ReadKeyValue(r.ReadBytes(), where + ".attributes", attributes);
            }
            else
            {
                r.Skip(wire);
            }
        }

        return attributes;
    }

    private static void ReadScopeSpans(ReadOnlySpan<byte> bytes, string where, JsonObject resource, List<OtlpSpan> spans)
    {
        var r = new ProtoReader(bytes, where);
        string? name = null, version = null;
        var spanBytes = new List<byte[]>();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    (name, version) = ReadScope(r.ReadBytes(), where + ".scope");
                    break;
                case 2:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    spanBytes.Add(r.ReadBytes().ToArray());
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        for (var i = 0; i < spanBytes.Count; i++)
        {
            var span = ReadSpan(spanBytes[i], $"{where}.spans[{i}]");
            spans.Add(span with { Resource = (JsonObject)resource.DeepClone(), ScopeName = name, ScopeVersion = version });
        }
    }

    private static (string? Name, string? Version) ReadScope(ReadOnlySpan<byte> bytes, string where)
    {
        var r = new ProtoReader(bytes, where);
        string? name = null, version = null;
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    name = r.ReadString();
                    break;
                case 2:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    version = r.ReadString();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return (name, version);
    }

    private static OtlpSpan ReadSpan(ReadOnlySpan<byte> bytes, string where)
    {
        var r = new ProtoReader(bytes, where);
        string? traceId = null, spanId = null, parent = null, statusMessage = null;
        var name = "";
        int kind = 0, statusCode = 0;
        ulong start = 0, end = 0;
        var attributes = new JsonObject();
        var events = new List<OtlpEvent>();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    traceId = Convert.ToHexStringLower(r.ReadBytes());
                    break;
                case 2:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    spanId = Convert.ToHexStringLower(r.ReadBytes());
                    break;
                case 4:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    parent = Convert.ToHexStringLower(r.ReadBytes());
                    break;
                case 5:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    name = r.ReadString();
                    break;
                case 6:
                    r.Expect(field, wire, ProtoReader.Varint);
                    kind = (int)r.ReadVarint();
                    break;
                case 7:
                    r.Expect(field, wire, ProtoReader.Fixed64);
                    start = r.ReadFixed64();
                    break;
                case 8:
                    r.Expect(field, wire, ProtoReader.Fixed64);
                    end = r.ReadFixed64();
                    break;
                case 9:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    ReadKeyValue(r.ReadBytes(), where + ".attributes", attributes);
                    break;
                case 11:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    events.Add(ReadEvent(r.ReadBytes(), $"{where}.events[{events.Count}]"));
                    break;
                case 15:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    (statusCode, statusMessage) = ReadStatus(r.ReadBytes(), where + ".status");
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new OtlpSpan
        {
            TraceId = traceId ?? "",
            SpanId = spanId ?? "",
            ParentSpanId = string.IsNullOrEmpty(parent) ? null : parent,
            Name = name,
            Kind = kind,
            StartUnixNano = start,
            EndUnixNano = end,
            Attributes = attributes,
            Events = events,
            StatusCode = statusCode,
            StatusMessage = string.IsNullOrEmpty(statusMessage) ? null : statusMessage,
            Location = where,
        };
    }

    private static OtlpEvent ReadEvent(ReadOnlySpan<byte> bytes, string where)
    {
        var r = new ProtoReader(bytes, where);
        ulong time = 0;
        var name = "";
        var attributes = new JsonObject();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(field, wire, ProtoReader.Fixed64);
                    time = r.ReadFixed64();
                    break;
                case 2:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    name = r.ReadString();
                    break;
                case 3:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    ReadKeyValue(r.ReadBytes(), where + ".attributes", attributes);
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return new OtlpEvent(time, name, attributes);
    }

    private static (int Code, string? Message) ReadStatus(ReadOnlySpan<byte> bytes, string where)
    {
        var r = new ProtoReader(bytes, where);
        int code = 0;
        string? message = null;
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 2:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    message = r.ReadString();
                    break;
                case 3:
                    r.Expect(field, wire, ProtoReader.Varint);
                    code = (int)r.ReadVarint();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return (code, message);
    }

    /// <summary>Adds one <c>KeyValue</c> to <paramref name="into"/> (a repeated key keeps its last value).</summary>
    private static void ReadKeyValue(ReadOnlySpan<byte> bytes, string where, JsonObject into, int depth = 0)
    {
        var r = new ProtoReader(bytes, where);
        string? key = null;
        JsonNode? value = null;
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    key = r.ReadString();
                    break;
                case 2:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    value = ReadAnyValue(r.ReadBytes(), where, depth);
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        if (key is null)
        {
            throw new OtlpPayloadException($"{where}: an attribute without a key.");
        }

        into[key] = value;
    }

    private static JsonNode? ReadAnyValue(ReadOnlySpan<byte> bytes, string where, int depth)
    {
        if (depth > 32)
        {
            throw new OtlpPayloadException($"{where}: attribute values nested deeper than 32.");
        }

        var r = new ProtoReader(bytes, where);
        JsonNode? value = null;
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    value = r.ReadString();
                    break;
                case 2:
                    r.Expect(field, wire, ProtoReader.Varint);
                    value = r.ReadVarint() != 0;
                    break;
                case 3:
                    r.Expect(field, wire, ProtoReader.Varint);
                    value = (long)r.ReadVarint();
                    break;
                case 4:
                    r.Expect(field, wire, ProtoReader.Fixed64);
                    value = BitConverter.UInt64BitsToDouble(r.ReadFixed64());
                    break;
                case 5:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    value = ReadArray(r.ReadBytes(), where, depth + 1);
                    break;
                case 6:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    value = ReadKeyValueList(r.ReadBytes(), where, depth + 1);
                    break;
                case 7:
                    r.Expect(field, wire, ProtoReader.LengthDelimited);
                    value = Convert.ToBase64String(r.ReadBytes());
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return value;
    }

    private static JsonArray ReadArray(ReadOnlySpan<byte> bytes, string where, int depth)
    {
        var r = new ProtoReader(bytes, where);
        var array = new JsonArray();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1)
            {
                r.Expect(field, wire, ProtoReader.LengthDelimited);
                array.Add(ReadAnyValue(r.ReadBytes(), where, depth));
            }
            else
            {
                r.Skip(wire);
            }
        }

        return array;
    }

    private static JsonObject ReadKeyValueList(ReadOnlySpan<byte> bytes, string where, int depth)
    {
        var r = new ProtoReader(bytes, where);
        var o = new JsonObject();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1)
            {
                r.Expect(field, wire, ProtoReader.LengthDelimited);
                ReadKeyValue(r.ReadBytes(), where, o, depth);
            }
            else
            {
                r.Skip(wire);
            }
        }

        return o;
    }
}

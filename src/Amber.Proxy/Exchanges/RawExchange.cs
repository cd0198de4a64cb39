using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Amber.Proxy.Exchanges;

/// <summary>
/// The raw exchange document (<c>amber.exchange/v1</c>, docs/format/raw-exchange.md): everything the
/// gateway saw of one call, secrets removed, kept as a blob beside the normalized nodes. The nodes can
/// be rebuilt from it alone, which is how the spool is drained.
/// </summary>
public sealed class RawExchange
{
    public const string RecordType = "amber.exchange/v1";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>openai.chat, openai.responses or anthropic.messages.</summary>
    public required string Source { get; init; }

    /// <summary>The id sent to the client in Amber-Instance.</summary>
    public required string Instance { get; init; }

    /// <summary>tenant:HEX, the keyed hash of the caller's credential; null when the call carried none.</summary>
    public string? Tenant { get; init; }

    /// <summary>When the request reached the gateway (RFC 3339, UTC).</summary>
    public required string Started { get; init; }

    /// <summary>The upstream URL the request was sent to (without query secrets).</summary>
    public required string Upstream { get; init; }

    /// <summary>The preservation notice added to the forwarded request, if any.</summary>
    public string? Notice { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    /// <summary>The query string as stored: allow-listed parameters only.</summary>
    public string Query { get; init; } = "";

    /// <summary>Names of query parameters dropped (values never kept).</summary>
    public IReadOnlyList<string> RemovedQuery { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; init; } = [];

    /// <summary>Names of request headers dropped as secrets (values never kept).</summary>
    public IReadOnlyList<string> RemovedRequestHeaders { get; init; } = [];

    /// <summary>The body as the client sent it, credentials replaced by the marker.</summary>
    public ReadOnlyMemory<byte> RequestBody { get; init; }

    /// <summary>The body as forwarded, when it differs from what the client sent (a notice was added); redacted alike.</summary>
    public ReadOnlyMemory<byte>? ForwardedBody { get; init; }

    /// <summary>RFC 6901 pointers of the request body values replaced by the marker (credential members, keys, header values).</summary>
    public IReadOnlyList<string> Redacted { get; init; } = [];

    /// <summary>How many copies of the call's credentials were replaced inside the request bodies.</summary>
    public int RequestEchoes { get; init; }

    /// <summary>Null when no response arrived (connection refused, reset before headers, timeout).</summary>
    public int? Status { get; set; }

    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; set; } = [];

    public IReadOnlyList<string> RemovedResponseHeaders { get; set; } = [];

    /// <summary>The Content-Encoding the body was decoded from for capture (the client received it encoded).</summary>
    public string? ContentEncoding { get; set; }

    /// <summary>True when the response was an event stream.</summary>
    public bool Streamed { get; set; }

    /// <summary>The response body as received, decoded when it was compressed, copies of the call's credentials replaced by the marker.</summary>
    public ReadOnlyMemory<byte> ResponseBody { get; set; }

    /// <summary>How many copies of the call's credentials were replaced inside the response body.</summary>
    public int ResponseEchoes { get; set; }

    /// <summary>True when anything was withheld from a stored body (not headers or query: those are allow-listed).</summary>
    public bool WasRedacted => Redacted.Count > 0 || RequestEchoes > 0 || ResponseEchoes > 0;

    /// <summary>Each upstream read in order: arrival time and wire length.</summary>
    public IReadOnlyList<RawChunk> Chunks { get; set; } = [];

    public double? FirstByteMs { get; set; }

    public double TotalMs { get; set; }

    public string Outcome { get; set; } = Outcomes.Complete;

    public string? Error { get; set; }

    public bool Interrupted => Outcome != Outcomes.Complete;

    public string RequestText => Encoding.UTF8.GetString(RequestBody.Span);

    public string ResponseText => Encoding.UTF8.GetString(ResponseBody.Span);

    public byte[] ToJsonBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(RequestBody.Length + ResponseBody.Length + 1024);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type", RecordType);
            w.WriteString("source", Source);
            w.WriteString("instance", Instance);
            if (Tenant is not null)
            {
                w.WriteString("tenant", Tenant);
            }

            w.WriteString("started", Started);
            w.WriteString("upstream", Upstream);
            if (Notice is not null)
            {
                w.WriteString("notice", Notice);
            }

            w.WriteStartObject("request");
            w.WriteString("method", Method);
            w.WriteString("path", Path);
            w.WriteString("query", Query);
            if (RemovedQuery.Count > 0)
            {
                WriteNames(w, "removed_query", RemovedQuery);
            }

            WriteHeaders(w, "headers", RequestHeaders);
            WriteNames(w, "removed_headers", RemovedRequestHeaders);
            WriteBody(w, "body", RequestBody.Span);
            if (ForwardedBody is { } forwarded)
            {
                WriteBody(w, "forwarded_body", forwarded.Span);
            }

            if (Redacted.Count > 0)
            {
                WriteNames(w, "redacted", Redacted);
            }

            if (RequestEchoes > 0)
            {
                w.WriteNumber("credential_echoes", RequestEchoes);
            }

            w.WriteEndObject();
            if (Status is { } status)
            {
                w.WriteStartObject("response");
                w.WriteNumber("status", status);
                WriteHeaders(w, "headers", ResponseHeaders);
                WriteNames(w, "removed_headers", RemovedResponseHeaders);
                w.WriteBoolean("streamed", Streamed);
                if (ContentEncoding is not null)
                {
                    w.WriteString("decoded_from", ContentEncoding);
                }

                WriteBody(w, "body", ResponseBody.Span);
                if (ResponseEchoes > 0)
                {
                    w.WriteNumber("credential_echoes", ResponseEchoes);
                }

                w.WriteStartArray("chunks");
                foreach (var c in Chunks)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(Math.Round(c.AtMs, 3));
                    w.WriteNumberValue(c.Length);
                    w.WriteEndArray();
                }

                w.WriteEndArray();
                if (FirstByteMs is { } first)
                {
                    w.WriteNumber("first_byte_ms", Math.Round(first, 3));
                }

                w.WriteEndObject();
            }

            w.WriteNumber("total_ms", Math.Round(TotalMs, 3));
            w.WriteString("outcome", Outcome);
            if (Error is not null)
            {
                w.WriteString("error", Error);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a document written by <see cref="ToJsonBytes"/>; a malformed one throws <see cref="FormatException"/> naming the field.</summary>
    public static RawExchange Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new FormatException($"raw exchange: not JSON ({e.Message})", e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (Str(root, "type") != RecordType)
            {
                throw new FormatException($"raw exchange: \"type\" is not \"{RecordType}\".");
            }

            var request = Obj(root, "request");
            var x = new RawExchange
            {
                Source = Req(root, "source"),
                Instance = Req(root, "instance"),
                Tenant = Str(root, "tenant"),
                Started = Req(root, "started"),
                Upstream = Req(root, "upstream"),
                Notice = Str(root, "notice"),
                Method = Req(request, "method"),
                Path = Req(request, "path"),
                Query = Str(request, "query") ?? "",
                RequestHeaders = ReadHeaders(request),
                RemovedQuery = ReadNames(request, "removed_query"),
                RemovedRequestHeaders = ReadNames(request),
                RequestBody = ReadBody(request, "body") ?? throw new FormatException("raw exchange: request has no \"body\"."),
                ForwardedBody = ReadBody(request, "forwarded_body"),
                Redacted = ReadNames(request, "redacted"),
                RequestEchoes = request.TryGetProperty("credential_echoes", out var re) ? re.GetInt32() : 0,
                TotalMs = root.TryGetProperty("total_ms", out var total) ? total.GetDouble() : 0,
                Outcome = Str(root, "outcome") ?? Outcomes.Complete,
                Error = Str(root, "error"),
            };
            if (root.TryGetProperty("response", out var response))
            {
                x.Status = response.GetProperty("status").GetInt32();
                x.ResponseHeaders = ReadHeaders(response);
                x.RemovedResponseHeaders = ReadNames(response);
                x.Streamed = response.TryGetProperty("streamed", out var s) && s.GetBoolean();
                x.ContentEncoding = Str(response, "decoded_from");
                x.ResponseBody = ReadBody(response, "body") ?? ReadOnlyMemory<byte>.Empty;
                x.ResponseEchoes = response.TryGetProperty("credential_echoes", out var e) ? e.GetInt32() : 0;
                x.Chunks = response.TryGetProperty("chunks", out var chunks)
                    ? chunks.EnumerateArray().Select(c => new RawChunk(c[0].GetDouble(), c[1].GetInt32())).ToList()
                    : [];
                x.FirstByteMs = response.TryGetProperty("first_byte_ms", out var fb) ? fb.GetDouble() : null;
            }

            return x;
        }
    }

    /// <summary>The first value of a response header (names compare without case), or null.</summary>
    public string? ResponseHeader(string name) => Find(ResponseHeaders, name);

    /// <summary>The first value of a request header (names compare without case), or null.</summary>
    public string? RequestHeader(string name) => Find(RequestHeaders, name);

    private static string? Find(IReadOnlyList<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var h in headers)
        {
            if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return h.Value;
            }
        }

        return null;
    }

    private static void WriteHeaders(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        w.WriteStartArray(name);
        foreach (var h in headers)
        {
            w.WriteStartArray();
            w.WriteStringValue(h.Key);
            w.WriteStringValue(h.Value);
            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    private static void WriteNames(Utf8JsonWriter w, string name, IReadOnlyList<string> names)
    {
        w.WriteStartArray(name);
        foreach (var n in names)
        {
            w.WriteStringValue(n);
        }

        w.WriteEndArray();
    }

    /// <summary>UTF-8 text as a JSON string (it round-trips exactly); anything else as base64.</summary>
    private static void WriteBody(Utf8JsonWriter w, string name, ReadOnlySpan<byte> body)
    {
        w.WriteStartObject(name);
        if (Utf8.IsValid(body))
        {
            w.WriteString("text", body);
        }
        else
        {
            w.WriteBase64String("base64", body);
        }

        w.WriteEndObject();
    }

    private static ReadOnlyMemory<byte>? ReadBody(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var body))
        {
            return null;
        }

        if (body.TryGetProperty("text", out var text))
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }

        if (body.TryGetProperty("base64", out var b64))
        {
            return b64.GetBytesFromBase64();
        }

        throw new FormatException($"raw exchange: \"{name}\" has neither \"text\" nor \"base64\".");
    }

    private static List<KeyValuePair<string, string>> ReadHeaders(JsonElement parent)
        => parent.TryGetProperty("headers", out var h)
            ? h.EnumerateArray().Select(p => new KeyValuePair<string, string>(p[0].GetString()!, p[1].GetString()!)).ToList()
            : [];

    private static List<string> ReadNames(JsonElement parent, string name = "removed_headers")
        => parent.TryGetProperty(name, out var h) ? h.EnumerateArray().Select(n => n.GetString()!).ToList() : [];

    private static JsonElement Obj(JsonElement parent, string name)
        => parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : throw new FormatException($"raw exchange: missing \"{name}\" object.");

    private static string? Str(JsonElement parent, string name)
        => parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Req(JsonElement parent, string name)
        => Str(parent, name) ?? throw new FormatException($"raw exchange: missing \"{name}\".");
}

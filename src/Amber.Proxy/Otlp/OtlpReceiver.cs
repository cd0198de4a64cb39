using System.Globalization;
using System.Text.Json;
using Amber.Capture;
using Amber.Core.Hosting;
using Amber.Core.Hosting.AspNet;
using Amber.Proxy.Exchanges;
using Amber.Proxy.Tenancy;
using Microsoft.AspNetCore.Http;

namespace Amber.Proxy.Otlp;

/// <summary>
/// <c>POST /v1/traces</c>: an OTLP/HTTP trace receiver (protobuf or JSON, optionally gzip). Each GenAI
/// model-call span becomes one exchange, recorded through the gateway's <see cref="ConversationRecorder"/>
/// (source <c>otlp</c>), so its turns stitch into trees like gateway calls. Other spans are ignored and
/// counted in the partial-success message. The whole request is read and every span mapped before
/// anything is recorded: a request that cannot be read is refused (400) with nothing stored; a GenAI span
/// that cannot be read is rejected alone (counted in <c>rejected_spans</c>). Spans already recorded (an
/// exporter's retry) add nothing.
/// </summary>
public sealed class OtlpReceiver
{
    public const string Route = "/v1/traces";

    private readonly GatewayOptions options;
    private readonly ConversationRecorder recorder;
    private readonly IExchangeSink sink;
    private readonly TenantHasher tenants;

    public OtlpReceiver(GatewayOptions options, ConversationRecorder recorder, IExchangeSink sink, TenantHasher tenants)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        this.recorder = recorder ?? throw new ArgumentNullException(nameof(recorder));
        this.sink = sink ?? throw new ArgumentNullException(nameof(sink));
        this.tenants = tenants ?? throw new ArgumentNullException(nameof(tenants));
    }

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var json = JsonMediaType.Is(request.ContentType);
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await WriteStatusAsync(context, json, StatusCodes.Status405MethodNotAllowed, $"{Route} accepts only POST (an OTLP/HTTP trace export).").ConfigureAwait(false);
            return;
        }

        if (!json && !IsProtobuf(request.ContentType))
        {
            await WriteStatusAsync(context, json, StatusCodes.Status415UnsupportedMediaType,
                $"Amber receives OTLP traces as Content-Type: {OtlpProtobuf.MediaType} or {OtlpJson.MediaType}, not \"{request.ContentType}\".").ConfigureAwait(false);
            return;
        }

        if (!sink.CanWrite)
        {
            await WriteStatusAsync(context, json, StatusCodes.Status503ServiceUnavailable,
                "Amber cannot record traces now: the archive is open read-only (another process holds its writer lock).").ConfigureAwait(false);
            return;
        }

        byte[] body;
        try
        {
            body = await ReadAsync(request, options.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            await WriteStatusAsync(context, json, StatusCodes.Status413PayloadTooLarge, $"Amber refused this trace export: {e.Message}").ConfigureAwait(false);
            return;
        }
        catch (OtlpPayloadException e)
        {
            await WriteStatusAsync(context, json, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException e)
        {
            await WriteStatusAsync(context, json, e.StatusCode, $"The trace export could not be read: {e.Message}").ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return; // the exporter went away before its request was whole: nothing was recorded
        }

        List<OtlpSpan> spans;
        try
        {
            spans = json ? OtlpJson.ReadRequest(body) : OtlpProtobuf.ReadRequest(body);
        }
        catch (OtlpPayloadException e)
        {
            await WriteStatusAsync(context, json, StatusCodes.Status400BadRequest, $"Amber refused this trace export, nothing was recorded: {e.Message}").ConfigureAwait(false);
            return;
        }

        var tenant = CaptureTenant.Of(context) ?? tenants.Tenant(TenantHasher.Credential(request.Headers, request.Query));
        var tally = new OtlpTally();
        var exchanges = new List<(OtlpSpan Span, CapturedExchange Exchange)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            if (!GenAiSpan.IsModelCall(span))
            {
                tally.Ignore(GenAiSpan.IsGenAi(span));
                continue;
            }

            try
            {
                var exchange = GenAiSpan.ToCaptured(span, tenant);
                if (!seen.Add(GenAiSpan.Key(span.TraceId, span.SpanId)) || recorder.FindNode(GenAiSpan.Key(span.TraceId, span.SpanId)) is not null)
                {
                    tally.Duplicates++;
                    continue;
                }

                exchanges.Add((span, exchange));
            }
            catch (OtlpPayloadException e)
            {
                tally.Reject(e.Message);
            }
        }

        // Earlier calls first: a later call's history must find the earlier answer already stored to stitch onto it.
        foreach (var (_, exchange) in exchanges.OrderBy(x => x.Span.StartUnixNano).ThenBy(x => x.Span.EndUnixNano))
        {
            try
            {
                await recorder.RecordAsync(exchange, context.RequestAborted).ConfigureAwait(false);
                tally.Recorded++;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                // Retryable: what was recorded stays, and the exporter's retry skips it by span key.
                await WriteStatusAsync(context, json, StatusCodes.Status503ServiceUnavailable,
                    $"Amber could not record span {tally.Recorded + 1} of {exchanges.Count} of this export ({e.Message}); {tally.Recorded} were recorded, retrying adds only the rest.").ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
        }

        var message = tally.Message();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = json ? OtlpJson.MediaType : OtlpProtobuf.MediaType;
        context.Response.Headers["Amber-Otlp-Recorded"] = tally.Recorded.ToString(CultureInfo.InvariantCulture);
        var payload = json ? OtlpJson.WriteResponse(tally.Rejected, message) : OtlpProtobuf.WriteResponse(tally.Rejected, message);
        context.Response.ContentLength = payload.Length;
        await context.Response.Body.WriteAsync(payload, context.RequestAborted).ConfigureAwait(false);
    }

    private static bool IsProtobuf(string? contentType)
        => contentType is not null && contentType.Split(';')[0].Trim().Equals(OtlpProtobuf.MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The body, gunzipped when the exporter compressed it; the limit holds for the wire bytes and the decoded ones alike.</summary>
    private static async Task<byte[]> ReadAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        var wire = await Gateway.ReadBodyAsync(request, limit, ct).ConfigureAwait(false);
        var encoding = request.Headers.ContentEncoding.ToString();
        if (string.IsNullOrEmpty(encoding) || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return wire;
        }

        if (!BodyDecoder.CanDecode(encoding))
        {
            throw new OtlpPayloadException($"Content-Encoding \"{encoding}\" is not supported (gzip, deflate or br).");
        }

        using var input = new MemoryStream(wire, writable: false);
        using var decoder = BodyDecoder.Decompressor(input, encoding, wire);
        using var output = new MemoryStream();
        var buffer = new byte[16 << 10];
        while (true)
        {
            int n;
            try
            {
                n = await decoder.ReadAsync(buffer, ct).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new OtlpPayloadException($"the {encoding} body could not be decoded: {e.Message}", e);
            }

            if (n == 0)
            {
                break;
            }

            output.Write(buffer, 0, n);
            if (output.Length > limit)
            {
                throw new InvalidDataException($"the {encoding} body decodes to more than the {limit} bytes Amber accepts.");
            }
        }

        return output.ToArray();
    }

    /// <summary>An error as OTLP/HTTP specifies it: a <c>google.rpc.Status</c> in the request's encoding.</summary>
    private static async Task WriteStatusAsync(HttpContext context, bool json, int status, string message)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }

        response.StatusCode = status;
        response.ContentType = json ? OtlpJson.MediaType : OtlpProtobuf.MediaType;
        var code = status switch { 400 or 405 or 415 => 3, 413 => 8, _ => 14 }; // INVALID_ARGUMENT, RESOURCE_EXHAUSTED, UNAVAILABLE
        var payload = json
            ? JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["code"] = code, ["message"] = message })
            : StatusProto(code, message);
        response.ContentLength = payload.Length;
        try
        {
            await response.Body.WriteAsync(payload, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
    }

    private static byte[] StatusProto(int code, string message)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(message);
        var bytes = new List<byte> { 1 << 3, (byte)code, (2 << 3) | 2 };
        for (var length = (uint)text.Length; ; length >>= 7)
        {
            if (length < 0x80)
            {
                bytes.Add((byte)length);
                break;
            }

            bytes.Add((byte)(length | 0x80));
        }

        bytes.AddRange(text);
        return [.. bytes];
    }
}

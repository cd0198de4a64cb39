using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Amber.Core.Diagnostics;
using Amber.Core.Hosting;
using Amber.Core.Hosting.AspNet;
using Amber.Proxy.Diagnostics;
using Amber.Proxy.Exchanges;
using Amber.Proxy.Forwarding;
using Amber.Proxy.Protocols;
using Amber.Proxy.Secrets;
using Amber.Proxy.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Amber.Proxy;

/// <summary>
/// The recording gateway. Every request under /v1 is forwarded to its upstream and the response is
/// streamed back as it arrives, status, headers and bytes unchanged. The three captured routes are
/// also teed into a <see cref="RawExchange"/> and preserved through an <see cref="IExchangeSink"/>;
/// only the end of the response (the final stream event, or the whole body of a non-streamed
/// answer) waits for that to be durable. If it cannot be preserved, the client gets a 503 (before
/// any byte went out) or a cut connection, never a normal end.
/// </summary>
public sealed class Gateway : IDisposable
{
    public const string InstanceHeader = "Amber-Instance";

    private readonly GatewayOptions options;
    private readonly IExchangeSink sink;
    private readonly TenantHasher tenants;
    private readonly HttpMessageInvoker upstream;
    private readonly ILogger log;

    public Gateway(GatewayOptions options, IExchangeSink sink, TenantHasher tenants, ILogger? logger = null)
    {
        log = logger ?? NullLogger.Instance;
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.sink = sink ?? throw new ArgumentNullException(nameof(sink));
        this.tenants = tenants ?? throw new ArgumentNullException(nameof(tenants));
        upstream = options.UpstreamHandler is { } handler
            ? new HttpMessageInvoker(handler, disposeHandler: false)
            : new HttpMessageInvoker(
                new SocketsHttpHandler
                {
                    AutomaticDecompression = DecompressionMethods.None,
                    UseCookies = false,
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    ConnectTimeout = TimeSpan.FromSeconds(30),
                    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                },
                disposeHandler: true);
    }

    /// <summary>Handles one request under /v1.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var route = GatewayRoute.Canonical(path); // every spelling routing sends here (/V1, //v1) is decided as its canonical route
        var target = Target(UpstreamFor(request, route), path, request.QueryString.Value);
        var protocol = HttpMethods.IsPost(request.Method) ? ProtocolRegistry.ForPath(route) : null;
        if (protocol is null)
        {
            await PassThroughAsync(context, target).ConfigureAwait(false);
            return;
        }

        if (!JsonMediaType.Is(request.ContentType))
        {
            // Before anything is forwarded: a page of another site can post text/plain (or no type) without a CORS preflight.
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, "amber_unsupported_media_type",
                $"Amber captures {route} only with Content-Type: application/json, not \"{request.ContentType}\". The call was not forwarded.").ConfigureAwait(false);
            return;
        }

        if (!sink.CanWrite)
        {
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "amber_archive_unavailable",
                "Amber cannot preserve this call: the archive is open read-only (another process holds its writer lock). The call was not forwarded.").ConfigureAwait(false);
            return;
        }

        await CaptureAsync(context, protocol, target).ConfigureAwait(false);
    }

    private Uri UpstreamFor(HttpRequest request, string route)
        => route == "/v1/messages" || route.StartsWith("/v1/messages/", StringComparison.Ordinal) || request.Headers.ContainsKey("anthropic-version")
            ? options.AnthropicUpstream
            : options.OpenAiUpstream;

    /// <summary>The upstream URL: its path, then the request's path (an upstream given as …/v1 does not double the /v1).</summary>
    internal static Uri Target(Uri upstreamBase, string path, string? query)
    {
        var basePath = upstreamBase.AbsolutePath.TrimEnd('/');
        if (basePath.EndsWith("/v1", StringComparison.Ordinal) && path.StartsWith("/v1", StringComparison.Ordinal))
        {
            basePath = basePath[..^3];
        }

        var builder = new UriBuilder(upstreamBase) { Path = basePath + path, Query = query?.TrimStart('?') ?? "" };
        return builder.Uri;
    }

    private async Task PassThroughAsync(HttpContext context, Uri target)
    {
        var ct = context.RequestAborted;
        using var message = BuildRequest(context.Request, target, new StreamContent(context.Request.Body));
        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(message, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (BadRequestIn(e) is { } bad)
        {
            await WriteBadRequestAsync(context, bad).ConfigureAwait(false);
            return;
        }
        catch (HttpRequestException e)
        {
            GatewayMetrics.RecordUpstreamError(GatewayMetrics.PassThrough, "unreachable");
            GatewayLog.UpstreamUnreachable(log, WithoutUserInfo(target).GetLeftPart(UriPartial.Authority), e.Message);
            await WriteErrorAsync(context, StatusCodes.Status502BadGateway, "amber_upstream_unreachable", $"Amber could not reach the upstream {WithoutUserInfo(target).GetLeftPart(UriPartial.Authority)}: {e.Message}").ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }

        using (response)
        {
            CopyResponseHead(context.Response, response);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                var buffer = ArrayPool<byte>.Shared.Rent(16 << 10);
                try
                {
                    int n;
                    while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                    {
                        await context.Response.Body.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
            {
                context.Abort();
            }
        }
    }

    private async Task CaptureAsync(HttpContext context, IProtocol protocol, Uri target)
    {
        using var activity = AmberTelemetry.ActivitySource.StartActivity("amber.capture", ActivityKind.Server);
        activity?.SetTag("amber.protocol", protocol.Source);
        var time = options.TimeProvider;
        var start = time.GetTimestamp();
        var request = context.Request;
        byte[] body;
        try
        {
            body = await ReadBodyAsync(request, options.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "amber_request_too_large", e.Message).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's verdict on the body (over its size limit, broken chunk framing): an IOException, but the client is still there to be told.
            await WriteBadRequestAsync(context, e).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return; // the client went away before its request was whole: nothing was forwarded
        }

        ScrubbedBody scrubbed;
        try
        {
            scrubbed = RequestScrubber.Scrub(body);
        }
        catch (InvalidRequestBodyException e)
        {
            // Refused before forwarding: nothing is billed, and there is no exchange to lose.
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "amber_invalid_request",
                $"Amber refused this call without forwarding it: {e.Message}").ConfigureAwait(false);
            return;
        }

        var forwarded = options.Notice is { } notice ? protocol.InjectNotice(body, notice) : null;
        var (query, removedQuery, droppedQueryValues) = HeaderRules.StoredQuery(request.QueryString.Value ?? "");
        var echoes = CredentialEchoes.ForRequest(request.Headers, droppedQueryValues, scrubbed.Values);
        var (storedBody, requestEchoes) = echoes.Redact(scrubbed.Bytes);
        (ReadOnlyMemory<byte> Bytes, int Count)? storedForwarded = forwarded is null ? null : echoes.Redact(RequestScrubber.Scrub(forwarded).Bytes);
        var (requestHeaders, removedRequest) = RecordedHeaders(request.Headers, echoes);
        var instance = InstanceIds.New(options.Random);
        var exchange = new RawExchange
        {
            Source = protocol.Source,
            Instance = instance,
            Tenant = CaptureTenant.Of(context) ?? tenants.Tenant(TenantHasher.Credential(request.Headers, request.Query)),
            Started = Amber.Core.Time.Timestamps.Format(time.GetUtcNow()),
            Upstream = WithoutUserInfo(target).GetLeftPart(UriPartial.Path),
            Notice = forwarded is null ? null : options.Notice,
            Method = request.Method,
            Path = request.Path.Value ?? "/",
            Query = query,
            RemovedQuery = removedQuery,
            RequestHeaders = requestHeaders,
            RemovedRequestHeaders = removedRequest,
            RequestBody = storedBody,
            ForwardedBody = storedForwarded is { } f ? f.Bytes : default(ReadOnlyMemory<byte>?),
            Redacted = scrubbed.Pointers,
            RequestEchoes = requestEchoes + (storedForwarded?.Count ?? 0),
        };

        using var timeout = new CancellationTokenSource(options.UpstreamTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout.Token);
        var ct = linked.Token;
        var wire = new ArrayBufferWriter<byte>(16 << 10);
        var chunks = new List<RawChunk>();
        var released = 0; // bytes of wire already written to the client
        var scanner = new SseScanner(e => protocol.IsFinalEvent(e.Span));
        var decodedScanner = new SseScanner(e => protocol.IsFinalEvent(e.Span));
        IncrementalDecoder? decoding = null;
        int? heldFrom = null; // encoded streams: where the held-back part starts once the final event was decoded
        HttpResponseMessage? response = null;
        try
        {
            using var message = BuildRequest(request, target, new ByteArrayContent(forwarded ?? body));
            response = await upstream.SendAsync(message, ct).ConfigureAwait(false);
            var (responseHeaders, removedResponse) = RecordedHeaders(response, echoes);
            exchange.Status = (int)response.StatusCode;
            exchange.ResponseHeaders = responseHeaders;
            exchange.RemovedResponseHeaders = removedResponse;
            exchange.Streamed = response.Content.Headers.ContentType?.MediaType is "text/event-stream";
            var encoding = response.Content.Headers.ContentEncoding.LastOrDefault();
            var scan = exchange.Streamed && encoding is null;

            CopyResponseHead(context.Response, response);
            context.Response.Headers[InstanceHeader] = instance;
            if (exchange.Streamed)
            {
                // Headers go out now, so the client's time to first byte is the upstream's.
                context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                await context.Response.StartAsync(ct).ConfigureAwait(false);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            while (true)
            {
                var memory = wire.GetMemory(16 << 10);
                var n = await stream.ReadAsync(memory, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                wire.Advance(n);
                var at = time.GetElapsedTime(start).TotalMilliseconds;
                exchange.FirstByteMs ??= at;
                chunks.Add(new RawChunk(at, n));
                if (!exchange.Streamed)
                {
                    continue;
                }

                var releasable = wire.WrittenCount;
                if (scan)
                {
                    scanner.Scan(wire.WrittenMemory);
                    releasable = scanner.FinalEventStart ?? releasable;
                }
                else if (exchange.Streamed)
                {
                    // An encoded stream is decoded alongside, and the chunk that completes its final event (with all
                    // after it) waits: the client cannot decode that event before the capture is durable. A stream
                    // that cannot be decoded holds back its newest chunk instead.
                    decoding ??= BodyDecoder.CanDecode(encoding) ? new IncrementalDecoder(encoding!, wire.WrittenSpan[^n..]) : null;
                    if (heldFrom is null)
                    {
                        if (decoding is not null && decoding.Append(wire.WrittenSpan[^n..]))
                        {
                            decodedScanner.Scan(decoding.Decoded);
                            heldFrom = decodedScanner.FinalEventStart is null ? null : wire.WrittenCount - n;
                        }
                        else
                        {
                            releasable -= n;
                        }
                    }

                    releasable = heldFrom ?? releasable;
                }

                if (releasable > released)
                {
                    await context.Response.Body.WriteAsync(wire.WrittenMemory[released..releasable], ct).ConfigureAwait(false);
                    released = releasable;
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            exchange.Outcome = Outcomes.ClientDisconnected;
            exchange.Error = "the client closed the connection before the response ended";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            exchange.Outcome = Outcomes.Timeout;
            exchange.Error = $"the upstream did not finish within {options.UpstreamTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            exchange.Outcome = Outcomes.UpstreamFailed;
            exchange.Error = e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{e.Message} ({inner.Message})" : e.Message;
        }
        finally
        {
            decoding?.Dispose();
            response?.Dispose();
        }

        exchange.TotalMs = time.GetElapsedTime(start).TotalMilliseconds;
        exchange.Chunks = chunks;
        var encodingUsed = exchange.Status is null ? null : exchange.ResponseHeader("Content-Encoding");
        if (BodyDecoder.CanDecode(encodingUsed))
        {
            var (decoded, error) = BodyDecoder.Decode(wire.WrittenMemory, encodingUsed!);
            exchange.ContentEncoding = encodingUsed;
            exchange.ResponseBody = decoded;
            if (error is not null && exchange.Outcome == Outcomes.Complete)
            {
                exchange.Error = error;
            }
        }
        else
        {
            exchange.ResponseBody = wire.WrittenMemory.ToArray();
        }

        // On the whole body, so a credential split across reads (or SSE events) is found too.
        (exchange.ResponseBody, exchange.ResponseEchoes) = echoes.Redact(exchange.ResponseBody);
        exchange.Error = exchange.Error is null ? null : echoes.Redact(exchange.Error);

        if (exchange.Outcome is Outcomes.UpstreamFailed or Outcomes.Timeout)
        {
            GatewayMetrics.RecordUpstreamError(protocol.Source, exchange.Outcome);
            GatewayLog.UpstreamFailed(log, exchange.Instance, protocol.Source, exchange.Outcome, exchange.Error);
        }

        Exception? failure = null;
        try
        {
            await sink.PreserveAsync(exchange, CancellationToken.None).ConfigureAwait(false);
            GatewayMetrics.RecordCapture(protocol.Source, exchange.Outcome);
        }
        catch (Exception e)
        {
            failure = e;
            GatewayMetrics.CaptureFailures.Add(1, new KeyValuePair<string, object?>("protocol", protocol.Source));
            GatewayLog.CaptureFailed(log, exchange.Instance, protocol.Source, e.Message);
        }

        activity?.SetTag("amber.instance", exchange.Instance);
        activity?.SetTag("amber.outcome", exchange.Outcome);
        activity?.SetTag("http.response.status_code", exchange.Status);

        await FinishAsync(context, exchange, wire.WrittenMemory[released..], failure).ConfigureAwait(false);
    }

    /// <summary>An upstream address as it may be stored or shown: credentials in it (user:password@) removed.</summary>
    private static Uri WithoutUserInfo(Uri uri) => uri.UserInfo.Length == 0 ? uri : new UriBuilder(uri) { UserName = "", Password = "" }.Uri;

    /// <summary>Releases the held-back end of the response, or fails the call visibly.</summary>
    private static async Task FinishAsync(HttpContext context, RawExchange exchange, ReadOnlyMemory<byte> held, Exception? failure)
    {
        var response = context.Response;
        if (exchange.Outcome == Outcomes.ClientDisconnected)
        {
            return;
        }

        if (failure is not null)
        {
            if (response.HasStarted)
            {
                context.Abort(); // the client must not see a normal end of a response that was not preserved
                return;
            }

            response.Headers.Clear();
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "amber_capture_failed",
                $"Amber could not preserve this exchange, so the response was withheld: {failure.Message}").ConfigureAwait(false);
            return;
        }

        if (exchange.Outcome != Outcomes.Complete)
        {
            if (response.HasStarted)
            {
                context.Abort(); // pass the upstream's failure on as a cut stream
                return;
            }

            response.Headers.Clear();
            var (status, code) = exchange.Outcome == Outcomes.Timeout
                ? (StatusCodes.Status504GatewayTimeout, "amber_upstream_timeout")
                : (StatusCodes.Status502BadGateway, "amber_upstream_failed");
            response.Headers[InstanceHeader] = exchange.Instance;
            await WriteErrorAsync(context, status, code, $"The upstream call failed: {exchange.Error}. The partial exchange was preserved.").ConfigureAwait(false);
            return;
        }

        try
        {
            await response.Body.WriteAsync(held, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client left after the capture was made durable; nothing more to do.
        }
    }

    internal static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            throw new InvalidDataException($"the request body is {request.ContentLength} bytes; the gateway accepts at most {limit}.");
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Clamp(request.ContentLength ?? 4096, 1, limit));
        while (true)
        {
            var n = await request.Body.ReadAsync(buffer.GetMemory(8192), ct).ConfigureAwait(false);
            if (n == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(n);
            if (buffer.WrittenCount > limit)
            {
                throw new InvalidDataException($"the request body is larger than the {limit} bytes the gateway accepts.");
            }
        }
    }

    private static HttpRequestMessage BuildRequest(HttpRequest request, Uri target, HttpContent content)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), target) { Version = HttpVersion.Version11 };
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0 || content is ByteArrayContent;
        var listed = HeaderRules.ConnectionListed(request.Headers.Connection);
        foreach (var (name, values) in request.Headers)
        {
            if (HeaderRules.SkipOnRequest(name) || listed.Contains(name))
            {
                continue;
            }

            if (string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase))
            {
                // Amber's own cookie is the viewer's credential (browsers send it to every port of the host), never the upstream's.
                if (AmberCookie.StripFrom(values.ToString()) is { } cookies)
                {
                    message.Headers.TryAddWithoutValidation(name, cookies);
                }

                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && hasBody)
            {
                content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        if (hasBody)
        {
            message.Content = content;
        }
        else
        {
            content.Dispose();
        }

        return message;
    }

    private static void CopyResponseHead(HttpResponse response, HttpResponseMessage upstreamResponse)
    {
        response.StatusCode = (int)upstreamResponse.StatusCode;
        // NonValidated: the values exactly as received (the typed view would split "Server: A B" into two headers).
        var listed = HeaderRules.ConnectionListed(upstreamResponse.Headers.NonValidated.TryGetValues("Connection", out var c) ? c.ToArray() : []);
        foreach (var (name, values) in upstreamResponse.Headers.NonValidated)
        {
            if (!HeaderRules.IsHopByHop(name) && !listed.Contains(name))
            {
                response.Headers[name] = values.ToArray();
            }
        }

        foreach (var (name, values) in upstreamResponse.Content.Headers.NonValidated)
        {
            response.Headers[name] = values.ToArray();
        }
    }

    private static (List<KeyValuePair<string, string>> Kept, List<string> Removed) RecordedHeaders(IHeaderDictionary headers, CredentialEchoes echoes)
    {
        var kept = new List<KeyValuePair<string, string>>();
        var removed = new List<string>();
        foreach (var (name, values) in headers)
        {
            Record(name, HeaderRules.IsStoredRequestHeader(name), values.Select(v => v ?? ""), kept, removed, echoes);
        }

        return (kept, removed);
    }

    private static (List<KeyValuePair<string, string>> Kept, List<string> Removed) RecordedHeaders(HttpResponseMessage response, CredentialEchoes echoes)
    {
        var kept = new List<KeyValuePair<string, string>>();
        var removed = new List<string>();
        foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            Record(name, HeaderRules.IsStoredResponseHeader(name), values, kept, removed, echoes);
        }

        return (kept, removed);
    }

    /// <summary>Keeps an allow-listed header (any credential echoed in its value replaced); of any other, only the name.</summary>
    private static void Record(string name, bool stored, IEnumerable<string> values, List<KeyValuePair<string, string>> kept, List<string> removed, CredentialEchoes echoes)
    {
        if (!stored)
        {
            removed.Add(name.ToLowerInvariant());
            return;
        }

        foreach (var v in values)
        {
            kept.Add(new(name.ToLowerInvariant(), echoes.Redact(v)));
        }
    }

    /// <summary>The client's malformed or oversized body behind a forwarding failure (the pass-through streams it while sending), if that was the cause.</summary>
    private static BadHttpRequestException? BadRequestIn(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException bad)
            {
                return bad;
            }
        }

        return null;
    }

    private static Task WriteBadRequestAsync(HttpContext context, BadHttpRequestException e)
        => e.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? WriteErrorAsync(context, e.StatusCode, "amber_request_too_large", $"The request body is larger than the gateway accepts: {e.Message}")
            : WriteErrorAsync(context, e.StatusCode, "amber_bad_request", $"The request body could not be read: {e.Message}");

    internal static async Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }

        response.StatusCode = status;
        response.ContentType = "application/json";
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = "error",
            ["error"] = new Dictionary<string, string> { ["type"] = code, ["code"] = code, ["message"] = message },
        });
        response.ContentLength = payload.Length;
        try
        {
            await response.Body.WriteAsync(payload, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
    }

    public void Dispose() => upstream.Dispose();
}

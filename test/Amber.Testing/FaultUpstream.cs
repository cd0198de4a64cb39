using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Amber.Testing;

/// <summary>
/// A real Kestrel upstream on loopback that answers every request with the current <see cref="Fault"/>. Every answer
/// is deterministic (an endless stream is numbered), so a client's view through the gateway can be compared byte
/// for byte with its view of this upstream directly.
/// </summary>
public sealed class FaultUpstream : IAsyncDisposable
{
    /// <summary>The events of <see cref="UpstreamFault.Normal"/> and <see cref="UpstreamFault.Trickle"/>.</summary>
    public static readonly byte[] Stream = Encoding.UTF8.GetBytes(
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"alpha \"}}]}\n\n"
        + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"beta\"},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: [DONE]\n\n");

    public static readonly byte[] InvalidSse = [.. "data: {not json\ngarbage without a blank line\n"u8, 0x00, 0xFF, 0xFE, .. "\r\nevent: x\n\ndata: \n\n"u8];

    public const string ClientErrorBody = """{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}""";

    public const string ServerErrorBody = """{"error":{"message":"The engine is currently overloaded","type":"server_error"}}""";

    private static readonly TimeSpan ResetDelay = TimeSpan.FromMilliseconds(200);

    private readonly WebApplication app;

    private FaultUpstream(WebApplication app) => this.app = app;

    public Uri Url => new(app.Urls.First());

    public UpstreamFault Fault { get; set; }

    /// <summary>The pause after each byte of <see cref="UpstreamFault.Trickle"/> and between events of <see cref="UpstreamFault.Endless"/>.</summary>
    public TimeSpan Pause { get; set; } = TimeSpan.FromMilliseconds(2);

    public static async Task<FaultUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new FaultUpstream(app);
        app.Run(upstream.AnswerAsync);
        await app.StartAsync().ConfigureAwait(false);
        return upstream;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        using (var reader = new StreamReader(context.Request.Body))
        {
            await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        }

        var response = context.Response;
        switch (Fault)
        {
            case UpstreamFault.ClientError or UpstreamFault.ServerError:
                response.StatusCode = Fault == UpstreamFault.ClientError ? 429 : 503;
                response.ContentType = "application/json";
                response.Headers["retry-after"] = "1";
                await response.WriteAsync(Fault == UpstreamFault.ClientError ? ClientErrorBody : ServerErrorBody, ct).ConfigureAwait(false);
                return;
            case UpstreamFault.ResetBeforeHeaders:
                context.Abort();
                return;
        }

        response.ContentType = "text/event-stream";
        await response.StartAsync(ct).ConfigureAwait(false);
        switch (Fault)
        {
            case UpstreamFault.ResetMidStream:
                await WriteAsync(response, Stream.AsMemory(0, Stream.AsSpan().IndexOf("data: [DONE]"u8)), ct).ConfigureAwait(false);
                // Let the events reach the client first: a reset right after the write can overtake them on loopback,
                // and a client that saw no headers is a different fault (reset before headers).
                await Task.Delay(ResetDelay, ct).ConfigureAwait(false);
                context.Abort();
                return;
            case UpstreamFault.Trickle:
                for (var i = 0; i < Stream.Length; i++)
                {
                    await WriteAsync(response, Stream.AsMemory(i, 1), ct).ConfigureAwait(false);
                    await Task.Delay(Pause, ct).ConfigureAwait(false);
                }

                return;
            case UpstreamFault.Endless:
                for (var i = 0; !ct.IsCancellationRequested; i++)
                {
                    var line = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + i.ToString("D8", CultureInfo.InvariantCulture) + " \"}}]}\n\n";
                    await WriteAsync(response, Encoding.UTF8.GetBytes(line), ct).ConfigureAwait(false);
                    await Task.Delay(Pause, ct).ConfigureAwait(false);
                }

                return;
            case UpstreamFault.InvalidSse:
                await WriteAsync(response, InvalidSse, ct).ConfigureAwait(false);
                return;
            default:
                await WriteAsync(response, Stream, ct).ConfigureAwait(false);
                return;
        }
    }

    private static async Task WriteAsync(HttpResponse response, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
        await response.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}

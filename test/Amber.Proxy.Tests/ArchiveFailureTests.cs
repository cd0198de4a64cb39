using System.Net;
using System.Text;
using Amber.Testing;

namespace Amber.Proxy.Tests;

/// <summary>Durable mode over an archive whose fsync fails on command: nothing unpreserved is served as if it were.</summary>
public sealed class ArchiveFailureTests : GatewayTestBase
{
    protected override FileSystemKind Kind => FileSystemKind.FaultInjecting;

    private static StringContent Body(bool stream)
        => new($$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task ArchiveCannotWrite_NonStreamed_Answers503AndWithholdsTheResponse()
    {
        Archives.Faults!.FailSyncAfter(0); // the commit's fsync fails
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(GatewayUrl, "/v1/chat/completions"), Body(stream: false), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("amber_capture_failed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Hello from the fake upstream", text, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains(Gateway.InstanceHeader));
    }

    [Fact]
    public async Task ArchiveCannotWrite_Streamed_CutsTheStreamBeforeItsFinalEvent()
    {
        // The commit's fsync fails, but only once the client has read what was released before it: a reset that
        // reaches a client before it has read the bytes sent ahead of it discards them (TCP drops unread data).
        using var clientHasReadTheStart = new SemaphoreSlim(0);
        Archives.Faults!.BeforeSyncFails = () => clientHasReadTheStart.Wait(TimeSpan.FromSeconds(20));
        Archives.Faults.FailSyncAfter(0);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(GatewayUrl, "/v1/chat/completions")) { Content = Body(stream: true) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // headers went out before the answer existed
        var received = new MemoryStream();
        await using var stream = await response.Content.ReadAsStreamAsync(Ct);
        var buffer = new byte[4096];
        while (!Encoding.UTF8.GetString(received.ToArray()).Contains("chat.completion.chunk", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, Ct);
            Assert.True(n > 0, "the stream ended before any event arrived");
            received.Write(buffer, 0, n);
        }

        clientHasReadTheStart.Release(); // events before the final one arrived while the commit was still pending
        await Assert.ThrowsAnyAsync<IOException>(() => stream.CopyToAsync(received, Ct));

        var text = Encoding.UTF8.GetString(received.ToArray());
        Assert.Contains("chat.completion.chunk", text, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArchiveCannotWrite_GzipStreamed_TheClientNeverDecodesTheFinalEvent()
    {
        Upstream.Behavior = UpstreamBehavior.GzipStream;
        Archives.Faults!.FailSyncAfter(0);
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(GatewayUrl, "/v1/chat/completions")) { Content = Body(stream: true) };
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        var received = new MemoryStream();
        var cut = false;
        try
        {
            // The whole stream may reach the gateway as one chunk; then not even the headers leave before the cut.
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
            await using var stream = await response.Content.ReadAsStreamAsync(Ct);
            await stream.CopyToAsync(received, Ct);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            cut = true;
        }

        Assert.True(cut, "the response must end in a cut connection, not a normal end");

        // Decode whatever arrived, as far as it goes: the final event must not be in it.
        received.Position = 0;
        var decoded = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(received, System.IO.Compression.CompressionMode.Decompress))
        {
            var buffer = new byte[256];
            try
            {
                int n;
                while ((n = await gzip.ReadAsync(buffer, Ct)) > 0)
                {
                    decoded.Write(buffer, 0, n);
                }
            }
            catch (InvalidDataException)
            {
                // the stream was cut: expected
            }
        }

        var text = Encoding.UTF8.GetString(decoded.ToArray());
        Assert.DoesNotContain("[DONE]", text, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Text;
using Amber.Testing;
using Microsoft.AspNetCore.Builder;

namespace Amber.Proxy.Tests.Hardening;

/// <summary>
/// Items 3, 4, 6 and 14 of issue 20 on `amber proxy`: what the gateway accepts and forwards. Each refused
/// request is checked to have reached neither the upstream nor the archive.
/// </summary>
public sealed class GatewayRequestTests : GatewayTestBase
{
    private const string ChatBody = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""";

    private string HostHeader => "127.0.0.1:" + GatewayUrl.Port;

    private Task<RawHttp.Answer> Post(string path, string? contentType, string? origin = null, string? host = null, string body = ChatBody)
        => RawHttp.SendAsync(
            GatewayUrl,
            $"POST {path} HTTP/1.1\r\nHost: {host ?? HostHeader}\r\n{(origin is null ? "" : $"Origin: {origin}\r\n")}{(contentType is null ? "" : $"Content-Type: {contentType}\r\n")}Authorization: Bearer {OpenAiKey}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}",
            Ct);

    private void AssertNothingForwardedOrStored()
    {
        Assert.Empty(Upstream.Requests);
        Assert.Empty(Conversations());
    }

    [Theory]
    [InlineData("attacker.example")]
    [InlineData("attacker.example:8080")]
    [InlineData("127.0.0.1.nip.io")]
    public async Task Item03_Proxy_ForeignHostHeader_Gets421AndNothingIsForwarded(string host)
    {
        var answer = await Post("/v1/chat/completions", "application/json", host: host);
        Assert.Equal(421, answer.Status);
        Assert.Contains("--host-name", answer.Body, StringComparison.Ordinal);
        var health = await RawHttp.SendAsync(GatewayUrl, $"GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n", Ct);
        Assert.Equal(421, health.Status);
        AssertNothingForwardedOrStored();
    }

    [Fact]
    public async Task Item03_Proxy_ConfiguredHostName_IsAccepted()
    {
        await StopGatewayAsync();
        Host = GatewayHost.Build(Archive, "127.0.0.1:0", Options(), hostNames: ["gateway.internal"]);
        await Host.StartAsync(Ct);
        var answer = await Post("/v1/chat/completions", "application/json", host: "gateway.internal:8443");
        Assert.Equal(200, answer.Status);
        Assert.Single(Conversations());
    }

    [Theory]
    [InlineData("/v1/chat/completions", "text/plain")]
    [InlineData("/v1/chat/completions", "application/json")]
    [InlineData("/v1/messages", "text/plain;charset=UTF-8")]
    [InlineData("/v1/responses", "application/x-www-form-urlencoded")]
    [InlineData("/v1/files", "multipart/form-data; boundary=x")]
    [InlineData("/v1/models", null)]
    public async Task Item04_Proxy_WriteFromAForeignOrigin_Gets403AndNothingIsForwarded(string path, string? contentType)
    {
        foreach (var origin in new[] { "http://evil.example", "null", "http://127.0.0.1:1", $"https://attacker.example:{GatewayUrl.Port}" })
        {
            var answer = await Post(path, contentType, origin);
            Assert.Equal(403, answer.Status);
        }

        AssertNothingForwardedOrStored();
    }

    [Theory]
    [InlineData("/v1/chat/completions", "text/plain")]
    [InlineData("/v1/chat/completions", null)]
    [InlineData("/V1/Chat/Completions", "text/plain")]
    [InlineData("//v1/chat/completions", "text/plain")]
    [InlineData("/v1/messages", "text/plain; charset=utf-8")]
    [InlineData("/v1/responses", "application/x-www-form-urlencoded")]
    [InlineData("/v1/responses", "application/jsonp")]
    public async Task Item04_Proxy_CaptureRouteWithoutJsonContentType_Gets415BeforeForwarding(string path, string? contentType)
    {
        var answer = await Post(path, contentType);
        Assert.True(answer.Status is 415 or 404, $"{path} {contentType}: {answer.Status}"); // 404 only where routing never reaches the gateway
        if (answer.Status == 415)
        {
            Assert.Contains("amber_unsupported_media_type", answer.Body, StringComparison.Ordinal);
        }

        AssertNothingForwardedOrStored();
    }

    [Fact]
    public async Task Item04_Proxy_SameOriginJsonAndNonJsonPassThrough_AreForwarded()
    {
        var json = await Post("/v1/chat/completions", "application/json; charset=utf-8", $"http://127.0.0.1:{GatewayUrl.Port}");
        Assert.Equal(200, json.Status);
        Assert.Single(Conversations());

        // A pass-through route that takes another media type (uploads) stays open to clients that send no foreign Origin.
        var upload = await Post("/v1/files", "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--x--\r\n");
        Assert.Equal(404, upload.Status); // the fake upstream has no /v1/files: the 404 is its answer, so the upload was forwarded
        Assert.Null(upload.Header("Content-Security-Policy"));
    }

    [Theory]
    [InlineData("/v1/models", true)]
    [InlineData("/V1/models", true)]
    [InlineData("/%76%31/models", true)]
    [InlineData("/v1/./models", true)]
    [InlineData("/v1/x/../models", true)]
    [InlineData("//v1/models", false)] // routing sends it nowhere
    [InlineData("/v1%2Fmodels", false)]
    public async Task Item06_Proxy_AmberCookieOnAnySpelling_IsNotForwardedButOtherCookiesAre(string path, bool routed)
    {
        var answer = await RawHttp.SendAsync(GatewayUrl, $"GET {path} HTTP/1.1\r\nHost: {HostHeader}\r\nAuthorization: Bearer {OpenAiKey}\r\nCookie: amber_token=viewer-secret-0123456789abcdefghijkl; other=kept\r\nConnection: close\r\n\r\n", Ct);
        if (!routed)
        {
            Assert.Equal(404, answer.Status);
            Assert.Empty(Upstream.Requests);
            return;
        }

        Assert.Equal(200, answer.Status);
        var (_, headers, _) = Assert.Single(Upstream.Requests);
        Assert.Equal("other=kept", headers["Cookie"]);
        Assert.DoesNotContain("viewer-secret", string.Join("\n", headers.Values), StringComparison.Ordinal);
        Assert.Equal("Bearer " + OpenAiKey, headers["Authorization"]); // the client's own credential still goes
    }

    [Fact]
    public async Task Item06_Proxy_OnlyAmberCookie_SendsNoCookieHeader()
    {
        var answer = await RawHttp.SendAsync(GatewayUrl, $"GET /v1/models HTTP/1.1\r\nHost: {HostHeader}\r\nCookie: amber_token=viewer-secret-0123456789abcdefghijkl\r\nConnection: close\r\n\r\n", Ct);
        Assert.Equal(200, answer.Status);
        Assert.False(Assert.Single(Upstream.Requests).Headers.ContainsKey("Cookie"));
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/files")]
    public async Task Item14_Proxy_BadChunkFraming_Gets400NotAnEmpty200(string path)
    {
        var answer = await RawHttp.SendAsync(GatewayUrl, $"POST {path} HTTP/1.1\r\nHost: {HostHeader}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{{\"model\":1}}\r\n0\r\n\r\n", Ct);
        Assert.Equal(400, answer.Status);
        Assert.Contains("amber_bad_request", answer.Body, StringComparison.Ordinal);
        Assert.Empty(Conversations());
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/files")]
    public async Task Item14_Proxy_ChunkedBodyOverTheLimit_Gets413NotAnEmpty200(string path)
    {
        await StopGatewayAsync();
        Host = GatewayHost.Build(Archive, "127.0.0.1:0", Options(), maxRequestBodySize: 4096);
        await Host.StartAsync(Ct);
        var chunk = new string('a', 1000);
        var chunks = string.Concat(Enumerable.Repeat($"{chunk.Length:x}\r\n{chunk}\r\n", 10));
        var answer = await RawHttp.SendAsync(GatewayUrl, $"POST {path} HTTP/1.1\r\nHost: {HostHeader}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunks}0\r\n\r\n", Ct);
        Assert.Equal(413, answer.Status);
        Assert.Contains("amber_request_too_large", answer.Body, StringComparison.Ordinal);
        Assert.Empty(Conversations());
    }

    [Fact]
    public async Task Item14_Proxy_ChunkedBodyWithinTheLimit_IsCapturedWhole()
    {
        var half = ChatBody.Length / 2;
        var answer = await RawHttp.SendAsync(GatewayUrl, $"POST /v1/chat/completions HTTP/1.1\r\nHost: {HostHeader}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{half:x}\r\n{ChatBody[..half]}\r\n{ChatBody.Length - half:x}\r\n{ChatBody[half..]}\r\n0\r\n\r\n", Ct);
        Assert.Equal(200, answer.Status);
        Assert.Equal(HttpStatusCode.OK, (HttpStatusCode)answer.Status);
        Assert.Single(Conversations());
    }
}

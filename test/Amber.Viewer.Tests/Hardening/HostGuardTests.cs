using System.Net;
using Amber.Storage;
using Amber.Testing;
using Microsoft.AspNetCore.Builder;

namespace Amber.Viewer.Tests.Hardening;

/// <summary>Items 3 and 4 of issue 20 on `amber serve`'s host: the Host allow-list (DNS rebinding) and cross-site writes, over a real server on loopback.</summary>
public sealed class HostGuardTests : IAsyncLifetime
{
    private readonly TestArchives archives = new(FileSystemKind.Local);
    private Archive archive = null!;
    private WebApplication app = null!;
    private Uri server = null!;
    private string blob = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        archive = archives.Init();
        var (batch, cid, _) = SampleConversations.Create(1);
        archive.Commit(batch);
        blob = archive.GetConversation(cid)!.Raw[0];
        await archive.EnsureCheckpointAsync();
        app = AmberServer.Build(archive, new AmberServerOptions { Listen = "127.0.0.1:0", HostNames = ["Archive.Example.org"] });
        await app.StartAsync();
        server = new Uri(app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        archive.Dispose();
        archives.Dispose();
    }

    private Task<RawHttp.Answer> Send(string method, string path, string host, string? origin = null, string? contentType = null)
        => RawHttp.SendAsync(server, $"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{(origin is null ? "" : $"Origin: {origin}\r\n")}{(contentType is null ? "" : $"Content-Type: {contentType}\r\n")}Content-Length: {(method == "GET" ? 0 : 2)}\r\nConnection: close\r\n\r\n{(method == "GET" ? "" : "{}")}", Ct);

    [Theory]
    [InlineData("/")]
    [InlineData("/api/stats")]
    [InlineData("/api/conversations")]
    [InlineData("/checkpoint")]
    [InlineData("/tile/0/000.p/1")]
    [InlineData("/healthz")]
    [InlineData("/v1/models")]
    [InlineData("/static/viewer.js")]
    public async Task Item03_Serve_ForeignHostHeader_Gets421NamingTheAcceptedHostsAndTheFlag(string path)
    {
        var answer = await Send("GET", path, "attacker.example");
        Assert.Equal(421, answer.Status);
        Assert.Contains("--host-name", answer.Body, StringComparison.Ordinal);
        Assert.Contains("localhost", answer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Sample", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item03_Serve_BlobUnderARebindingName_IsNotServed()
    {
        var refused = await Send("GET", "/api/blobs/" + blob, "rebind.attacker.example:" + server.Port);
        Assert.Equal(421, refused.Status);
        var served = await Send("GET", "/api/blobs/" + blob, "127.0.0.1:" + server.Port);
        Assert.Equal(200, served.Status);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:8080")]
    [InlineData("127.3.4.5:1")]
    [InlineData("localhost:9")]
    [InlineData("LOCALHOST.")]
    [InlineData("viewer.localhost:8080")]
    [InlineData("[::1]:8080")]
    [InlineData("[::ffff:127.0.0.1]:8080")]
    [InlineData("archive.example.org")]
    [InlineData("archive.example.org:443")]
    public async Task Item03_Serve_LoopbackOrConfiguredHost_IsAnswered(string host)
    {
        var answer = await Send("GET", "/api/stats", host);
        Assert.Equal(200, answer.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1.attacker.example")]
    [InlineData("localhost.attacker.example")]
    [InlineData("10.0.0.1")]
    [InlineData("[::2]:80")]
    [InlineData("archive.example.org.attacker.example")]
    [InlineData("127.0.0.1:99999")]
    public async Task Item03_Serve_LookalikeOrOtherHost_Gets421(string host)
    {
        var answer = await Send("GET", "/api/stats", host);
        Assert.True(answer.Status is 421 or 400, $"Host \"{host}\" got {answer.Status}");
        Assert.DoesNotContain("conversations", answer.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("null")]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("http://localhost")]
    public async Task Item04_Serve_StateChangingRequestFromAForeignOrigin_Gets403(string origin)
    {
        var host = "127.0.0.1:" + server.Port;
        foreach (var path in new[] { "/", "/api/stats", "/api/conversations", "/v1/chat/completions", "/V1/chat/completions" })
        {
            var answer = await Send("POST", path, host, origin, "text/plain");
            Assert.Equal(403, answer.Status);
            Assert.Contains("another origin", answer.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Item04_Serve_ViewerHasNoWriteRoutes_SameOriginOrNoOriginPostGets405()
    {
        var host = "127.0.0.1:" + server.Port;
        Assert.Equal(405, (await Send("POST", "/api/stats", host)).Status);
        Assert.Equal(405, (await Send("POST", "/api/stats", host, $"http://127.0.0.1:{server.Port}", "application/json")).Status);
        Assert.Equal(405, (await Send("DELETE", "/api/conversations", host, "https://archive.example.org")).Status);
    }

    [Fact]
    public async Task Item04_Serve_ReadFromAForeignOrigin_IsAnsweredWithoutCorsHeaders()
    {
        var answer = await Send("GET", "/api/stats", "127.0.0.1:" + server.Port, "http://evil.example");
        Assert.Equal(200, answer.Status);
        Assert.Null(answer.Header("Access-Control-Allow-Origin")); // the browser keeps the body from the page
    }
}

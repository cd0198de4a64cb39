using System.Net;
using System.Net.Http.Headers;
using Amber.Storage;
using Amber.Testing;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Builder;

namespace Amber.Viewer.Tests;

/// <summary>The access token a server beyond loopback requires, over a real server on loopback configured with one.</summary>
public sealed class AccessTokenTests : IAsyncLifetime
{
    private const string Token = "test-token-0123456789-abcdefghijkl";
    private readonly TestArchives archives = new(FileSystemKind.Local);
    private Archive archive = null!;
    private WebApplication app = null!;
    private HttpClient http = null!;

    public async ValueTask InitializeAsync()
    {
        archive = archives.Init();
        archive.Commit(SampleConversations.Create(1).Batch);
        app = AmberServer.Build(archive, new AmberServerOptions { Listen = "127.0.0.1:0", AccessToken = Token });
        await app.StartAsync();
        http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(app.Urls.First()) };
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        archive.Dispose();
        archives.Dispose();
    }

    private Task<HttpResponseMessage> Send(string path, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        configure?.Invoke(request);
        return http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/dashboard")]
    [InlineData("/api/stats")]
    [InlineData("/api/conversations")]
    [InlineData("/checkpoint")]
    [InlineData("/static/viewer.js")]
    [InlineData("/metrics")]
    public async Task WithoutToken_Returns401(string path)
    {
        var response = await Send(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var wrong = await Send(path, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task BearerToken_IsAccepted()
    {
        var response = await Send("/api/stats", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task QueryToken_SetsAStrictHttpOnlyCookie_AndRedirectsWithoutIt()
    {
        var response = await Send("/?tier=T4&token=" + Token);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/?tier=T4", response.Headers.Location!.ToString());
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith(AccessToken.CookieName + "=" + Token, cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var followed = await Send("/?tier=T4", r => r.Headers.Add("Cookie", AccessToken.CookieName + "=" + Token));
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        var wrongQuery = await Send("/?token=nope");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongQuery.StatusCode);
    }

    [Fact]
    public async Task Health_IsOpen_AndTheGatewayTakesTheServerTokenOnlyAsAmberToken()
    {
        Assert.Equal(HttpStatusCode.OK, (await Send("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send("/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send("/v1/models", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token))).StatusCode);
        var gateway = await Send("/v1/models", r => r.Headers.Add(AccessCheck.GatewayHeader, Token)); // the server's token is an admin token
        Assert.NotEqual(HttpStatusCode.Unauthorized, gateway.StatusCode);
        Assert.False(gateway.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public void Build_BeyondLoopbackWithoutToken_Refuses()
    {
        var e = Assert.Throws<InvalidOperationException>(() => AmberServer.Build(archive, new AmberServerOptions { Listen = "0.0.0.0:0" }));
        Assert.Contains("access token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_GivesDistinctUrlSafeTokens()
    {
        var rng = new Random(1);
        var a = AccessToken.Create(b => rng.NextBytes(b));
        var b = AccessToken.Create(b => rng.NextBytes(b));
        Assert.NotEqual(a, b);
        Assert.Equal(43, a.Length);
        Assert.All(a, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }

    [Fact]
    public async Task Metrics_WithTheToken_AreThePrometheusText()
    {
        await archive.CommitAsync(SampleConversations.Create(2).Batch, TestContext.Current.CancellationToken); // a commit while the server listens
        var response = await Send("/metrics", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE amber_commit_duration_seconds histogram", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthz", "ok")]
    [InlineData("/readyz", "ready")]
    public async Task HealthRoutes_NeedNoToken(string path, string body)
    {
        var response = await Send(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}

using Amber.Storage;
using Amber.Testing;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Builder;

namespace Amber.Viewer.Tests.Hardening;

/// <summary>Items 21 and 23 of issue 20 on the viewer's access token: what a token must be, and where its redirect may lead.</summary>
public sealed class AccessTokenHardeningTests : IAsyncLifetime
{
    private const string Token = "k7Qf2-Zx9_Lm4Rt8Vb1Nc6Hs3Jd0Wp5Ye";
    private readonly TestArchives archives = new(FileSystemKind.Local);
    private Archive archive = null!;
    private WebApplication app = null!;
    private Uri server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        archive = archives.Init();
        archive.Commit(SampleConversations.Create(1).Batch);
        app = AmberServer.Build(archive, new AmberServerOptions { Listen = "127.0.0.1:0", AccessToken = Token });
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

    [Theory]
    [InlineData("x")]
    [InlineData("test-token-0123456789")]
    [InlineData("0123456789012345678901234567890")] // 31
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("abababababababababababababababababababab")]
    [InlineData("correct horse battery staple and more words")]
    [InlineData("token;with=cookie,separators0123456789")]
    public void Item21_Build_WeakOrUnsafeToken_IsRefusedWithTheRule(string token)
    {
        Assert.NotNull(AccessToken.Problem(token));
        var e = Assert.Throws<ArgumentException>(() => AmberServer.Build(archive, new AmberServerOptions { Listen = "127.0.0.1:0", AccessToken = token }));
        Assert.Contains("token", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")] // hex, 128 bits
    [InlineData("3f2b8c1e-9d4a-4e7b-8c2f-1a6d5e9b0c3d")] // a UUID
    [InlineData("q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C=")] // base64
    public void Item21_Problem_RandomLookingTokensOfAtLeast32Characters_AreAccepted(string token)
        => Assert.Null(AccessToken.Problem(token));

    [Fact]
    public void Item21_Create_GeneratedTokens_SatisfyTheRule()
    {
        var rng = new Random(21);
        for (var i = 0; i < 200; i++)
        {
            var token = AccessToken.Create(b => rng.NextBytes(b));
            Assert.Null(AccessToken.Problem(token));
        }
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("///evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("//evil.example/%2F..")]
    public async Task Item23_TokenRedirect_PathStartingWithSlashes_StaysOnTheSite(string path)
    {
        var answer = await RawHttp.SendAsync(server, $"GET {path}?a=1&token={Token} HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nConnection: close\r\n\r\n", Ct);
        Assert.Equal(302, answer.Status);
        var location = answer.Header("Location")!;
        Assert.StartsWith("/", location, StringComparison.Ordinal);
        Assert.False(location.StartsWith("//", StringComparison.Ordinal) || location.StartsWith("/\\", StringComparison.Ordinal), location);
        var resolved = new Uri(server, location);
        Assert.Equal(server.Authority, resolved.Authority); // where a browser would go: this server
        Assert.EndsWith("?a=1", location, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, location, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amber.Core.Crypto;
using Amber.Storage;
using Amber.Storage.Keys;
using Amber.Testing;
using Microsoft.AspNetCore.Builder;

namespace Amber.Viewer.Tests.Encryption;

/// <summary>
/// Issue 15 must-have 5: the viewer says "sealed" clearly. A sealed conversation's page and API answer 423 with what
/// it means, not a server error; the other conversations read as before; once unsealed it reads again.
/// </summary>
public sealed class LockedContentTests : IAsyncLifetime
{
    private readonly TestArchives archives = new(FileSystemKind.Local);
    private readonly TempDirectory keys = new("amber-viewer-keys");
    private Archive archive = null!;
    private WebApplication app = null!;
    private HttpClient http = null!;

    public async ValueTask InitializeAsync()
    {
        archive = Archive.Init(archives.Options(o => o with
        {
            Encryption = true,
            KeyProvider = _ => new FileKeyProvider(keys.Combine("keys"), RandomNumberGenerator.Create()),
        }));
        app = AmberServer.Build(archive, "127.0.0.1:0");
        await app.StartAsync();
        http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        archive.Dispose();
        archives.Dispose();
        keys.Dispose();
    }

    [Fact]
    public async Task ASealedConversation_Is423WithWhatItMeans_OnItsPageAndInTheApi_AndReadsAgainOnceUnsealed()
    {
        var (sealedBatch, sealedId, _) = SampleConversations.Create(1);
        archive.Commit(sealedBatch);
        var (openBatch, openId, _) = SampleConversations.Create(2);
        archive.Commit(openBatch);
        using var random = RandomNumberGenerator.Create();
        using var alice = TrusteeKeyPair.Create("alice", random);
        using var bob = TrusteeKeyPair.Create("bob", random);
        archive.Encryption.Seal(sealedId, [alice.Trustee, bob.Trustee], threshold: 2, reason: "legal hold");

        using var page = await http.GetAsync($"/conversations/{sealedId}", Ct);
        Assert.Equal((HttpStatusCode)423, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("This conversation is sealed", html, StringComparison.Ordinal);
        Assert.Contains("trustees", html, StringComparison.Ordinal);

        using var api = await http.GetAsync($"/api/conversations/{sealedId}", Ct);
        Assert.Equal((HttpStatusCode)423, api.StatusCode);
        var body = JsonNode.Parse(await api.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("sealed", body["error"]!.GetValue<string>());
        Assert.Equal(sealedId, body["conversation"]!.GetValue<string>());

        using var other = await http.GetAsync($"/conversations/{openId}", Ct);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        archive.Encryption.Unseal(sealedId, [bob, alice]);
        using var reopened = await http.GetAsync($"/api/conversations/{sealedId}", Ct);
        Assert.Equal(HttpStatusCode.OK, reopened.StatusCode);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}

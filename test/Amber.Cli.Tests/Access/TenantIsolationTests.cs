using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Amber.Storage.Reading;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Amber.Cli.Tests.Access;

/// <summary>
/// Issue 15 must-haves 1–2 over the composed server: every route it maps (read from its endpoint data sources, so a new
/// route cannot be skipped) with a tenant-A read token against tenant-B data, a token of the wrong scope on every route,
/// and the gateway's Amber-Token.
/// </summary>
public sealed class TenantIsolationTests : IAsyncLifetime
{
    private TenantServer server = null!;

    public async ValueTask InitializeAsync() => server = await TenantServer.StartAsync();

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    /// <summary>Every mapped endpoint as (methods, pattern), and /metrics, which is middleware.</summary>
    private List<(string Method, RoutePattern? Pattern, string Path)> Routes()
    {
        var routes = new List<(string, RoutePattern?, string)>();
        foreach (var endpoint in ((IEndpointRouteBuilder)server.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"];
            foreach (var method in methods)
            {
                routes.Add((method, endpoint.RoutePattern, endpoint.RoutePattern.RawText ?? ""));
            }
        }

        Assert.True(routes.Count >= 20, $"only {routes.Count} routes found");
        routes.Add(("GET", null, "/metrics"));
        return routes;
    }

    /// <summary>Concrete URLs for a route: each id parameter filled with each of <paramref name="ids"/>, other parameters with a value its handler takes.</summary>
    private static List<(string Url, string? Id)> Urls(RoutePattern? pattern, string path, IReadOnlyList<string> ids)
    {
        if (pattern is null)
        {
            return [(path, null)];
        }

        var candidates = pattern.Parameters.Any(p => p.Name == "id") ? ids.Select(i => (string?)i).ToList() : [null];
        var urls = new List<(string, string?)>();
        foreach (var id in candidates)
        {
            var url = new StringBuilder();
            foreach (var segment in pattern.PathSegments)
            {
                url.Append('/');
                foreach (var part in segment.Parts)
                {
                    url.Append(part switch
                    {
                        RoutePatternLiteralPart literal => literal.Content,
                        RoutePatternParameterPart { Name: "id" } => Uri.EscapeDataString(id!),
                        RoutePatternParameterPart { Name: "file" } => "activity.svg",
                        RoutePatternParameterPart { Name: "name" } => "viewer.js",
                        RoutePatternParameterPart { Name: "path" } => "0/000",
                        RoutePatternParameterPart { Name: "rest" } => "chat/completions",
                        RoutePatternParameterPart p => p.Name,
                        _ => "",
                    });
                }
            }

            var u = url.Length == 0 ? "/" : url.ToString();
            urls.Add((u, id));
            if (u is "/" or "/api/search")
            {
                urls.Add((u + "?q=CANARY", id)); // search results and snippets
                urls.Add((u + "?q=CANARY&order=newest", id));
            }

            if (path is "/conversations/{id}" && id is not null)
            {
                urls.Add((u + "?leaf=" + Uri.EscapeDataString(id), id));
            }
        }

        return urls;
    }

    private async Task<(HttpStatusCode Status, string Body)> Send(string method, string url, Action<HttpRequestMessage> credential)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST")
        {
            request.Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json");
        }

        credential(request);
        using var response = await server.Http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static Action<HttpRequestMessage> Bearer(string token) => r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

    private static Action<HttpRequestMessage> AmberToken(string token) => r => r.Headers.Add(AccessCheck.GatewayHeader, token);

    private static bool IsGateway(string path) => path.StartsWith("/v1", StringComparison.Ordinal);

    private static bool IsOpen(string path) => path is "/healthz" or "/readyz";

    [Fact]
    public async Task EveryRoute_WithTenantAReadToken_ShowsNothingOfTenantB_AndBIdsAnswerAsMissingOnes()
    {
        var bIds = server.IdsOf(TenantServer.TenantB);
        var importIds = server.Archive.ListConversations(500).Where(c => c.Source != "openai").Select(c => c.Id).ToList();
        Assert.NotEmpty(importIds);
        Assert.True(bIds.Count >= 4, string.Join(", ", bIds));
        var aIds = server.IdsOf(TenantServer.TenantA);
        var forbidden = TenantServer.Canaries(TenantServer.TenantB).SelectMany(c => c.Split(' ').Skip(2)).Append(TenantServer.TenantB).ToList();
        // What B shares with A by content (the model reference both called) is A's too; the rest of B's must stay hidden.
        var hidden = bIds.Concat(importIds).Except(aIds).ToList();
        Assert.Contains(bIds[0], hidden);
        var readA = Bearer(server.Token[TenantServer.TenantA + ":read"]);
        var checkedRoutes = 0;
        foreach (var (method, pattern, path) in Routes())
        {
            if (IsGateway(path))
            {
                continue; // a read token does not open /v1 (WrongScope_OnEveryRoute)
            }

            foreach (var (url, id) in Urls(pattern, path, [.. hidden, .. aIds]))
            {
                var (status, body) = await Send(method, url, readA);
                var shown = id is null ? body : body.Replace(id, "", StringComparison.Ordinal).Replace(Uri.EscapeDataString(id), "", StringComparison.Ordinal);
                foreach (var secret in forbidden.Concat(hidden.Select(h => h[7..23])))
                {
                    Assert.False(shown.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{method} {url} ({status}) shows {secret}: {body[..Math.Min(body.Length, 400)]}");
                }

                if (id is not null && hidden.Contains(id))
                {
                    // Exactly like an id that names nothing: same status, same words.
                    var missing = id[..7] + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(id)));
                    var (missingStatus, missingBody) = await Send(method, url.Replace(Uri.EscapeDataString(id), Uri.EscapeDataString(missing), StringComparison.Ordinal), readA);
                    Assert.True(missingStatus == status, $"{method} {url}: {status}, a missing id {missingStatus}");
                    Assert.Equal(missingBody.Replace(missing, "ID", StringComparison.Ordinal), body.Replace(id, "ID", StringComparison.Ordinal));
                }

                checkedRoutes++;
            }
        }

        Assert.True(checkedRoutes > 50, $"{checkedRoutes} requests");

        // The same token sees its own tenant, and an admin sees B: the checks above can fail.
        var (_, ownSearch) = await Send("GET", "/api/search?q=CANARY", readA);
        Assert.Contains("Aq7Zx9", ownSearch, StringComparison.Ordinal);
        var (_, ownList) = await Send("GET", "/api/conversations", readA);
        Assert.Contains(aIds[0], ownList, StringComparison.Ordinal);
        var (_, adminSearch) = await Send("GET", "/api/search?q=CANARY", Bearer(server.Token["admin"]));
        Assert.Contains("Bm2Rt8", adminSearch, StringComparison.Ordinal);
        var (blobStatus, blob) = await Send("GET", "/api/blobs/" + server.IdsOf(TenantServer.TenantB).First(i => server.Archive.ContainsBlob(i)), Bearer(server.Token["admin"]));
        Assert.Equal(HttpStatusCode.OK, blobStatus);
        Assert.Contains("Bm2Rt8", blob, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongScope_OnEveryRoute_IsRefused_AndNoTokenIs401()
    {
        var aIds = server.IdsOf(TenantServer.TenantA);
        var readA = server.Token[TenantServer.TenantA + ":read"];
        var captureA = server.Token[TenantServer.TenantA + ":capture"];
        var before = server.Upstream.Requests.Count;
        foreach (var (method, pattern, path) in Routes())
        {
            foreach (var (url, _) in Urls(pattern, path, aIds.Take(2).ToList()))
            {
                var (none, _) = await Send(method, url, _ => { });
                if (IsOpen(path))
                {
                    Assert.Equal(HttpStatusCode.OK, none);
                    continue;
                }

                Assert.True(none == HttpStatusCode.Unauthorized, $"{method} {url} without a token: {none}");
                var (wrong, body) = IsGateway(path)
                    ? await Send(method, url, AmberToken(readA)) // a read token on /v1
                    : await Send(method, url, Bearer(captureA)); // a capture token on a viewer route
                Assert.True(wrong == HttpStatusCode.Forbidden, $"{method} {url} with the wrong scope: {wrong} {body}");
                if (IsGateway(path))
                {
                    var (bearerOnly, _) = await Send(method, url, Bearer(captureA)); // the gateway takes it only as Amber-Token
                    Assert.Equal(HttpStatusCode.Unauthorized, bearerOnly);
                }
            }
        }

        Assert.Equal(before, server.Upstream.Requests.Count); // nothing refused was forwarded

        // Whole-archive routes need admin even for a valid read token; admin opens them.
        foreach (var url in new[] { "/dashboard", "/api/stats", "/api/dashboard", "/metrics", "/checkpoint", "/charts/activity.svg" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await Send("GET", url, Bearer(readA))).Status);
            Assert.Equal(HttpStatusCode.OK, (await Send("GET", url, Bearer(server.Token["admin"]))).Status);
        }
    }

    [Fact]
    public async Task Gateway_StripsAmberToken_ForwardsTheProviderKeyUntouched_AndRecordsIntoTheTokensTenant()
    {
        Assert.All(server.Upstream.Requests, r =>
        {
            Assert.DoesNotContain(r.Headers.Keys, k => k.Equals(AccessCheck.GatewayHeader, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(r.Headers.Values, v => v.Contains("amber_", StringComparison.Ordinal));
            Assert.Equal("Bearer " + TenantServer.ProviderKey, r.Headers["Authorization"]);
        });
        Assert.Equal(2, server.Upstream.Requests.Count);

        foreach (var tenant in new[] { TenantServer.TenantA, TenantServer.TenantB })
        {
            var conversation = Assert.Single(server.Archive.ListConversations(50, new ConversationFilter { Tenant = tenant }));
            var view = server.Archive.GetConversation(conversation.Id)!;
            var answer = view.Tree.Nodes.Values.Single(n => n.Role == "assistant");
            Assert.Equal(tenant, answer.Meta?["tenant"]?.GetValue<string>());
            Assert.Contains(TenantServer.Canaries(tenant)[1], answer.SearchText, StringComparison.Ordinal);
            var raw = Encoding.UTF8.GetString(server.Archive.GetBlob(view.Raw[0])!);
            Assert.DoesNotContain("amber_", raw, StringComparison.Ordinal); // the token is never stored
            Assert.DoesNotContain(TenantServer.ProviderKey, raw, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Revocation_HoldsFromTheNextRequest_AndExpiredOrUnknownTokensAre401()
    {
        var read = server.Tokens.Create(TenantServer.TenantA, TokenScope.Read, null);
        Assert.Equal(HttpStatusCode.OK, (await Send("GET", "/api/conversations", Bearer(read.Token))).Status);
        var capture = server.Tokens.Create(TenantServer.TenantA, TokenScope.Capture, null);

        // Revoked through another store on the same file, as `amber token revoke` does from another process.
        var cli = new TokenStore(server.Archive.Directory, TimeProvider.System, System.Security.Cryptography.RandomNumberGenerator.Fill);
        Assert.True(cli.Revoke(read.Stored.Id));
        Assert.True(cli.Revoke(capture.Stored.Id));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send("GET", "/api/conversations", Bearer(read.Token))).Status);
        using var refused = await server.Chat("after revocation", capture.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(2, server.Upstream.Requests.Count);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send("GET", "/api/conversations", Bearer("amber_0123456789abcdef_" + new string('x', 43)))).Status);
    }
}

using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Proxy;
using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Testing;
using Amber.Viewer;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Builder;

namespace Amber.Cli.Tests.Access;

/// <summary>
/// `amber serve` as the command composes it (viewer, API, gateway, OTLP) with --require-token over an archive that holds
/// an import (no tenant) and one captured call each of tenants A and B, made through the gateway with their capture
/// tokens; each call's prompt and answer carry unique canary strings.
/// </summary>
internal sealed class TenantServer : IAsyncDisposable
{
    public const string TenantA = "tenant-a";
    public const string TenantB = "tenant-b";
    public const string ProviderKey = "sk-provider-key-0123456789abcdefghij";

    private readonly TestArchives archives = new(FileSystemKind.Local);

    private TenantServer()
    {
    }

    public Archive Archive { get; private set; } = null!;

    public WebApplication App { get; private set; } = null!;

    public FakeUpstream Upstream { get; private set; } = null!;

    public TokenStore Tokens { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public Dictionary<string, string> Token { get; } = new(StringComparer.Ordinal);

    /// <summary>The canaries of a tenant: its prompt and its answer.</summary>
    public static string[] Canaries(string tenant) => tenant == TenantA ? ["CANARY prompt Aq7Zx9", "CANARY answer Ak3Wv1"] : ["CANARY prompt Bm2Rt8", "CANARY answer Bp5Hs4"];

    public static async Task<TenantServer> StartAsync()
    {
        var s = new TenantServer();
        s.Archive = s.archives.Init();
        s.Archive.Commit(SampleConversations.Create(1).Batch); // an import: no tenant, admin only
        s.Upstream = await FakeUpstream.StartAsync();
        s.Tokens = new TokenStore(s.Archive.Directory, TimeProvider.System, RandomNumberGenerator.Fill);
        foreach (var tenant in new[] { TenantA, TenantB })
        {
            foreach (var scope in new[] { TokenScope.Read, TokenScope.Capture })
            {
                s.Token[tenant + ":" + TokenStore.ScopeName(scope)] = s.Tokens.Create(tenant, scope, null).Token;
            }
        }

        s.Token["admin"] = s.Tokens.Create("ops", TokenScope.Admin, null).Token;
        var gateway = new GatewayOptions { OpenAiUpstream = s.Upstream.Url, AnthropicUpstream = s.Upstream.Url };
        var options = new AmberServerOptions { Listen = "127.0.0.1:0", Tokens = s.Tokens, RequireToken = true };
        options.Services.Add(services => services.AddAmberGateway(gateway));
        options.Endpoints.Add(e => e.MapAmberGateway());
        s.App = AmberServer.Build(s.Archive, options);
        await s.App.StartAsync();
        s.Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(s.App.Urls.First()) };
        foreach (var tenant in new[] { TenantA, TenantB })
        {
            var canaries = Canaries(tenant);
            s.Upstream.Answer(canaries[1]);
            using var response = await s.Chat(canaries[0], s.Token[tenant + ":capture"]);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        return s;
    }

    /// <summary>A chat-completions call through the gateway with the provider key in Authorization and an Amber token beside it.</summary>
    public Task<HttpResponseMessage> Chat(string prompt, string? amberToken)
    {
        var body = new JsonObject
        {
            ["model"] = "gpt-4o-mini",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProviderKey);
        if (amberToken is not null)
        {
            request.Headers.Add(AccessCheck.GatewayHeader, amberToken);
        }

        return Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Every id of a tenant's data: conversations, nodes, raw blobs, models.</summary>
    public List<string> IdsOf(string tenant)
    {
        var ids = new List<string>();
        foreach (var summary in Archive.ListConversations(500, new ConversationFilter { Tenant = tenant }))
        {
            var view = Archive.GetConversation(summary.Id)!;
            ids.Add(summary.Id);
            ids.AddRange(view.Tree.Nodes.Keys);
            ids.AddRange(view.Raw);
            ids.AddRange(view.Models.Keys);
        }

        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Upstream.DisposeAsync();
        Archive.Dispose();
        archives.Dispose();
    }
}

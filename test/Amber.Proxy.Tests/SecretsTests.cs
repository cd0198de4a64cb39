using System.Net.Http.Headers;
using System.Text;
using Amber.Proxy.Exchanges;
using Anthropic.Models.Messages;
using OpenAI.Chat;

namespace Amber.Proxy.Tests;

/// <summary>Invariant 6: API keys, Authorization, x-api-key, cookies never reach storage, anywhere in the archive.</summary>
public sealed class SecretsTests : GatewayTestBase
{
    private const string CookieSecret = "session-COOKIE-SECRET-77aa88bb";
    private const string AzureKey = "azure-API-KEY-SECRET-1234abcd";
    private const string QueryKey = "query-KEY-SECRET-5678efgh";

    [Fact]
    public async Task AfterCallsOnEveryRoute_TheWholeArchiveDecompressed_ContainsNoCredential()
    {
        await Chat().CompleteChatAsync([new UserChatMessage("non-streamed")], cancellationToken: Ct);
        await foreach (var _ in Chat().CompleteChatStreamingAsync([new UserChatMessage("streamed")], cancellationToken: Ct))
        {
        }

        await Claude().Messages.Create(new MessageCreateParams { Model = "claude-sonnet-4-5", MaxTokens = 16, Messages = [new UserMessageParam { Content = "hi" }] }, Ct);
        await foreach (var _ in Claude().Messages.CreateStreaming(new MessageCreateParams { Model = "claude-sonnet-4-5", MaxTokens = 16, Messages = [new UserMessageParam { Content = "stream" }] }, Ct))
        {
        }

        using (var http = new HttpClient())
        {
            // x-api-key, Azure's api-key, a cookie, a proxy credential and a key in the query string.
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(GatewayUrl, $"/v1/messages?api-key={QueryKey}&beta=true"))
            {
                Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"keys"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-api-key", AnthropicKey);
            request.Headers.Add("api-key", AzureKey);
            request.Headers.Add("Cookie", $"session={CookieSecret}");
            request.Headers.ProxyAuthorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + OpenAiKey)));
            using var response = await http.SendAsync(request, Ct);
            response.EnsureSuccessStatusCode();
        }

        var secrets = new[] { OpenAiKey, AnthropicKey, CookieSecret, AzureKey, QueryKey };
        var conversations = Conversations();
        Assert.Equal(5, conversations.Count);

        // Every stored entry, decompressed: nodes, records, models, raw exchanges, blobs and log entries.
        var stored = new List<(string What, byte[] Bytes)>();
        foreach (var c in conversations)
        {
            var view = Archive.GetConversation(c.Id)!;
            stored.Add(($"conversation {c.Id}", Encoding.UTF8.GetBytes(view.Record.ToJson().ToJsonString())));
            foreach (var (id, node) in view.Tree.Nodes)
            {
                stored.Add(($"node {id}", node.ToCanonicalBytes()));
                foreach (var blob in node.BlobReferences())
                {
                    stored.Add(($"blob {blob.Blob}", Archive.GetBlob(blob.Blob)!));
                }
            }

            foreach (var raw in view.Raw)
            {
                var bytes = Archive.GetBlob(raw)!;
                stored.Add(($"raw {raw}", bytes));
                var exchange = RawExchange.Parse(bytes);
                Assert.NotNull(exchange.Tenant); // grouped per credential without keeping it
                Assert.Contains(exchange.RemovedRequestHeaders, h => h is "authorization" or "x-api-key");
            }

            foreach (var model in view.Models.Values)
            {
                stored.Add(($"model {model.Id}", Encoding.UTF8.GetBytes(model.ToJson().ToJsonString())));
            }
        }

        for (long i = 0; i < Archive.Log.Size; i++)
        {
            stored.Add(($"log entry {i}", Archive.GetLogEntry(i)!));
        }

        // And every file of the archive folder as it lies on disk (segments, index.db, blob files, keys, spool).
        await Archive.DisposeAsync();
        foreach (var file in Directory.EnumerateFiles(Archives.Directory, "*", SearchOption.AllDirectories))
        {
            stored.Add(($"file {Path.GetRelativePath(Archives.Directory, file)}", File.ReadAllBytes(file)));
        }

        Archive = Archives.Open(o => o with { IndexPath = null });
        Assert.Contains(stored, s => s.What.StartsWith("file index.db", StringComparison.Ordinal));
        foreach (var (what, bytes) in stored)
        {
            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{what} contains the secret {secret[..12]}…");
            }
        }

        // The proxy credential reached neither storage nor the upstream.
        Assert.DoesNotContain(Upstream.Requests, r => r.Headers.ContainsKey("Proxy-Authorization"));
    }
}

using System.Text;
using Amber.Proxy.Exchanges;

namespace Amber.Proxy.Tests.Hardening;

/// <summary>The gateway fixture plus what the hardening tests share: posting raw requests, reading the raw document, scanning everything stored.</summary>
public abstract class CaptureHardeningTestBase : GatewayTestBase
{
    /// <summary>Points the gateway's OpenAI and Anthropic upstreams at <paramref name="upstream"/>.</summary>
    protected async Task UseUpstreamAsync(Uri upstream, Func<GatewayOptions, GatewayOptions>? configure = null)
    {
        await StopGatewayAsync();
        var options = Options() with { OpenAiUpstream = upstream, AnthropicUpstream = upstream };
        await StartGatewayAsync(configure is null ? options : configure(options));
    }

    protected async Task<HttpResponseMessage> PostAsync(string pathAndQuery, byte[] body, params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(GatewayUrl, pathAndQuery)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await http.SendAsync(request, Ct);
        await response.Content.LoadIntoBufferAsync(Ct);
        return response;
    }

    protected Task<HttpResponseMessage> PostAsync(string pathAndQuery, string body, params (string Name, string Value)[] headers)
        => PostAsync(pathAndQuery, Encoding.UTF8.GetBytes(body), headers);

    /// <summary>The raw exchange documents of every conversation.</summary>
    protected List<RawExchange> RawExchanges()
        => Conversations().SelectMany(c => Archive.GetConversation(c.Id)!.Raw).Distinct().Select(r => RawExchange.Parse(Archive.GetBlob(r)!)).ToList();

    /// <summary>
    /// Fails when any secret is found in what the archive holds: every node, raw document and blob
    /// decompressed, every log entry, and every file of the archive folder as it lies on disk.
    /// </summary>
    protected async Task AssertNowhereStoredAsync(params string[] secrets)
    {
        var stored = new List<(string What, byte[] Bytes)>();
        foreach (var c in Conversations())
        {
            var view = Archive.GetConversation(c.Id)!;
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
                stored.Add(($"raw {raw}", Archive.GetBlob(raw)!));
            }
        }

        for (long i = 0; i < Archive.Log.Size; i++)
        {
            stored.Add(($"log entry {i}", Archive.GetLogEntry(i)!));
        }

        await StopGatewayAsync();
        await Archive.DisposeAsync();
        foreach (var file in Directory.EnumerateFiles(Archives.Directory, "*", SearchOption.AllDirectories))
        {
            stored.Add(($"file {Path.GetRelativePath(Archives.Directory, file)}", File.ReadAllBytes(file)));
        }

        Archive = Archives.Open(o => o with { IndexPath = null });
        await StartGatewayAsync();
        Assert.NotEmpty(stored);
        foreach (var (what, bytes) in stored)
        {
            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{what} contains the secret {secret}");
            }
        }
    }
}

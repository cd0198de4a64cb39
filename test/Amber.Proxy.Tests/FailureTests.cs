using System.ClientModel;
using System.Net;
using System.Text;
using Amber.Core.Model;
using Amber.Proxy.Exchanges;
using Amber.Testing;
using OpenAI.Chat;

namespace Amber.Proxy.Tests;

/// <summary>Upstream errors, resets, compressed answers, clients that leave, and an archive that cannot write.</summary>
public sealed class FailureTests : GatewayTestBase
{
    private static StringContent Body(bool stream, string text = "hi")
        => new($$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json");

    private RawExchange OnlyRaw() => RawExchange.Parse(Archive.GetBlob(Archive.GetConversation(Assert.Single(Conversations()).Id)!.Raw.Single())!);

    [Fact]
    public async Task Upstream500_ReachesClientUnchanged_AndIsRecordedWithoutAnswer()
    {
        Upstream.Behavior = UpstreamBehavior.ServerError;
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Chat().CompleteChatAsync([new UserChatMessage("fail please")], cancellationToken: Ct));

        Assert.Equal(500, error.Status);
        Assert.Contains("The server had an error", error.Message, StringComparison.Ordinal);
        var conversation = Assert.Single(Conversations());
        var view = Archive.GetConversation(conversation.Id)!;
        Assert.DoesNotContain(view.Tree.Nodes.Values, n => n.Role == "assistant");
        var raw = OnlyRaw();
        Assert.Equal(500, raw.Status);
        Assert.Contains("server_error", raw.ResponseText, StringComparison.Ordinal);
        Assert.Equal(Outcomes.Complete, raw.Outcome);
    }

    [Fact]
    public async Task UpstreamResetMidStream_CutsClientStream_AndKeepsPartialAnswerFlaggedInterrupted()
    {
        Upstream.Behavior = UpstreamBehavior.ResetMidStream;
        Upstream.Answer("alpha beta gamma delta epsilon");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(GatewayUrl, "/v1/chat/completions")) { Content = Body(stream: true) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => response.Content.ReadAsStringAsync(Ct));

        var view = Archive.GetConversation(Assert.Single(Conversations()).Id)!;
        var answer = view.Tree.Nodes.Values.Single(n => n.Role == "assistant");
        Assert.Contains(NodeFlags.Interrupted, answer.Flags);
        Assert.Equal("alpha beta", Assert.IsType<TextBlock>(answer.Content.Single()).Text); // the events before the reset
        Assert.Equal(Outcomes.UpstreamFailed, OnlyRaw().Outcome);
    }

    [Fact]
    public async Task UpstreamUnreachable_Answers502_AndRecordsTheRequest()
    {
        await StopGatewayAsync();
        await StartGatewayAsync(Options() with { OpenAiUpstream = new Uri("http://127.0.0.1:1") });
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(GatewayUrl, "/v1/chat/completions"), Body(stream: false), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("amber_upstream_failed", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var raw = OnlyRaw();
        Assert.Null(raw.Status);
        Assert.Equal(Outcomes.UpstreamFailed, raw.Outcome);
    }

    [Fact]
    public async Task ClientDisconnectMidStream_KeepsPartialExchangeFlaggedInterrupted()
    {
        Upstream.Behavior = UpstreamBehavior.StallMidStream;
        Upstream.Answer("first second third fourth");
        var seen = "";
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var u in Chat().CompleteChatStreamingAsync([new UserChatMessage("stall")], cancellationToken: cts.Token))
                {
                    seen += string.Concat(u.ContentUpdate.Select(c => c.Text));
                    if (seen.Length > 0)
                    {
                        await cts.CancelAsync();
                    }
                }
            });
        }

        await Upstream.StallAborted.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var conversation = Assert.Single(await ConversationsEventually(1));
        var answer = Archive.GetConversation(conversation.Id)!.Tree.Nodes.Values.Single(n => n.Role == "assistant");
        Assert.Contains(NodeFlags.Interrupted, answer.Flags);
        Assert.StartsWith("first", Assert.IsType<TextBlock>(answer.Content.Single()).Text, StringComparison.Ordinal);
        Assert.Equal(Outcomes.ClientDisconnected, OnlyRaw().Outcome);
    }

    [Fact]
    public async Task GzipFromUpstream_IsPassedThroughCompressed_AndDecodedOnlyForCapture()
    {
        Upstream.Behavior = UpstreamBehavior.Gzip;
        Upstream.Answer("compressed answer");
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(GatewayUrl, "/v1/chat/completions")) { Content = Body(stream: false) };
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await http.SendAsync(request, Ct);
        var wire = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        Assert.Equal([0x1f, 0x8b], wire[..2]); // still gzip on the wire
        Assert.Equal(wire.Length, response.Content.Headers.ContentLength);
        var raw = OnlyRaw();
        Assert.Equal("gzip", raw.ContentEncoding);
        Assert.Contains("compressed answer", raw.ResponseText, StringComparison.Ordinal);
        var answer = Archive.GetConversation(Assert.Single(Conversations()).Id)!.Tree.Nodes.Values.Single(n => n.Role == "assistant");
        Assert.Equal("compressed answer", Assert.IsType<TextBlock>(answer.Content.Single()).Text);
    }

    [Fact]
    public async Task ReadOnlyArchive_RefusesCapturedCallsWith503_BeforeForwarding()
    {
        await StopGatewayAsync();
        await using (var readOnly = Archives.Open(o => o with { IndexPath = null, ReadOnly = true }))
        {
            var host = GatewayHost.Build(readOnly, "127.0.0.1:0", Options());
            await host.StartAsync(Ct);
            using var http = new HttpClient();
            using var response = await http.PostAsync(new Uri(new Uri(host.Urls.First()), "/v1/chat/completions"), Body(stream: false), Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("read-only", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            await host.StopAsync(Ct);
            await host.DisposeAsync();
        }

        Assert.Empty(Upstream.Requests);
        await StartGatewayAsync();
    }
}

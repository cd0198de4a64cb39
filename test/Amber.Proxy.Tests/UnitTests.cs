using System.Text;
using Amber.Proxy.Exchanges;
using Amber.Proxy.Forwarding;
using Amber.Proxy.Protocols;

namespace Amber.Proxy.Tests;

/// <summary>The gateway's pure parts: SSE hold-back across any chunking, the raw document, ids, header rules, upstream URLs.</summary>
public sealed class UnitTests
{
    [Fact]
    public void ConnectionListed_NamesInTheConnectionHeader_AreHopByHop()
    {
        var listed = HeaderRules.ConnectionListed(["keep-alive, X-Trace-Hop", null, " close "]);

        Assert.Contains("x-trace-hop", listed);
        Assert.Contains("Keep-Alive", listed);
        Assert.Contains("close", listed);
        Assert.DoesNotContain("Content-Type", listed);
    }

    [Fact]
    public void Credential_OnlyInTheQuery_IsFoundSoTheCallerHasATenant()
    {
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary();
        var query = new Microsoft.AspNetCore.Http.QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
        {
            ["api-version"] = "2024-10-21",
            ["api-key"] = "sk-query-secret",
        });

        Assert.Equal("sk-query-secret", Amber.Proxy.Tenancy.TenantHasher.Credential(headers, query));
        headers["Authorization"] = "Bearer sk-header";
        Assert.Equal("sk-header", Amber.Proxy.Tenancy.TenantHasher.Credential(headers, query));
        Assert.Null(Amber.Proxy.Tenancy.TenantHasher.Credential(new Microsoft.AspNetCore.Http.HeaderDictionary(), new Microsoft.AspNetCore.Http.QueryCollection()));
    }

    private const string OpenAiStream = "data: {\"a\":1}\n\ndata: {\"b\":2}\r\n\r\n: comment\n\ndata: [DONE]\n\n";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    public void SseScanner_AnyChunking_FindsTheStartOfTheFinalEvent(int chunk)
    {
        var bytes = Encoding.UTF8.GetBytes(OpenAiStream);
        var scanner = new SseScanner(e => ProtocolRegistry.OpenAiChat.IsFinalEvent(e.Span));
        var seen = new List<byte>();
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            seen.AddRange(bytes.Skip(i).Take(chunk));
            scanner.Scan(seen.ToArray());
        }

        Assert.Equal(OpenAiStream.IndexOf("data: [DONE]", StringComparison.Ordinal), scanner.FinalEventStart);
    }

    [Fact]
    public void SseScanner_AnthropicStream_HoldsBackOnlyMessageStop()
    {
        var stream = "event: message_delta\ndata: {}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        var scanner = new SseScanner(e => ProtocolRegistry.AnthropicMessages.IsFinalEvent(e.Span));
        scanner.Scan(Encoding.UTF8.GetBytes(stream));
        Assert.Equal(stream.IndexOf("event: message_stop", StringComparison.Ordinal), scanner.FinalEventStart);
    }

    [Fact]
    public void SseScanner_DataMentioningTheMarker_IsNotFinal()
    {
        var scanner = new SseScanner(e => ProtocolRegistry.OpenAiChat.IsFinalEvent(e.Span));
        scanner.Scan(Encoding.UTF8.GetBytes("data: {\"content\":\"data: [DONE]\"}\n\n"));
        Assert.Null(scanner.FinalEventStart);
    }

    [Fact]
    public void SseEvent_Parse_KeepsNamesDataAndAnUnterminatedLastEvent()
    {
        var events = SseEvent.Parse(Encoding.UTF8.GetBytes("event: a\ndata: x\ndata: y\n\n: c\n\ndata: cut"));
        Assert.Equal(2, events.Count);
        Assert.Equal(("a", "x\ny"), (events[0].Name, events[0].Data));
        Assert.Equal((null, "cut"), (events[1].Name, events[1].Data));
    }

    [Fact]
    public void RawExchange_RoundTrip_KeepsEveryFieldAndBinaryBodies()
    {
        var x = new RawExchange
        {
            Source = "openai.chat",
            Instance = "inst_0123456789abcdefghjkmnpqrs",
            Tenant = "tenant:00ff",
            Started = "2026-11-27T00:00:00.000Z",
            Upstream = "https://api.openai.com/v1/chat/completions",
            Notice = "n",
            Method = "POST",
            Path = "/v1/chat/completions",
            Query = "?beta=1",
            RequestHeaders = [new("content-type", "application/json"), new("x-multi", "1"), new("x-multi", "2")],
            RemovedRequestHeaders = ["authorization"],
            RequestBody = Encoding.UTF8.GetBytes("{\"é\":\"<ü>\"}"),
            ForwardedBody = new byte[] { 0xff, 0x00, 0x01 },
            Status = 200,
            ResponseHeaders = [new("content-type", "text/event-stream")],
            Streamed = true,
            ContentEncoding = "gzip",
            ResponseBody = Encoding.UTF8.GetBytes("data: x\n\n"),
            Chunks = [new RawChunk(1.5, 4), new RawChunk(2.25, 5)],
            FirstByteMs = 1.5,
            TotalMs = 3,
            Outcome = Outcomes.ClientDisconnected,
            Error = "gone",
        };
        var bytes = x.ToJsonBytes();
        var back = RawExchange.Parse(bytes);

        Assert.Equal(bytes, back.ToJsonBytes());
        Assert.Equal(x.RequestBody.ToArray(), back.RequestBody.ToArray());
        Assert.Equal(new byte[] { 0xff, 0x00, 0x01 }, back.ForwardedBody!.Value.ToArray());
        Assert.Equal(["1", "2"], back.RequestHeaders.Where(h => h.Key == "x-multi").Select(h => h.Value));
        Assert.True(back.Interrupted);
    }

    [Fact]
    public void RawExchange_Parse_NamesWhatIsWrong()
    {
        var e = Assert.Throws<FormatException>(() => RawExchange.Parse("{\"type\":\"amber.exchange/v1\",\"source\":\"x\"}"u8));
        Assert.StartsWith("raw exchange: missing \"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InstanceIds_New_Is26Base32CharactersAfterThePrefix_AndFollowsTheRandomSource()
    {
        var id = InstanceIds.New(b => b.Fill(0xff));
        Assert.Equal("inst_zzzzzzzzzzzzzzzzzzzzzzzzzw", id);
        Assert.Equal(InstanceIds.Prefix.Length + 26, InstanceIds.New(b => b.Clear()).Length);
        Assert.NotEqual(InstanceIds.New(b => b.Fill(1)), InstanceIds.New(b => b.Fill(2)));
    }

    [Theory]
    [InlineData("Authorization", true)]
    [InlineData("x-api-key", true)]
    [InlineData("api-key", true)]
    [InlineData("Cookie", true)]
    [InlineData("Set-Cookie", true)]
    [InlineData("Proxy-Authorization", true)]
    [InlineData("X-Goog-Api-Key", true)]
    [InlineData("x-session-token", true)]
    [InlineData("Content-Type", false)]
    [InlineData("anthropic-version", false)]
    [InlineData("openai-version", false)]
    public void HeaderRules_IsSecret(string name, bool secret) => Assert.Equal(secret, HeaderRules.IsSecret(name));

    [Fact]
    public void HeaderRules_StoredQuery_KeepsOnlyAllowListedParameters_AndNamesTheOthers()
    {
        var (kept, names, values) = HeaderRules.StoredQuery("?api-key=SECRET&beta=true&access_token=T&limit=2");

        Assert.Equal("?beta=true", kept);
        Assert.Equal(["api-key", "access_token", "limit"], names);
        Assert.Equal(["SECRET", "T", "2"], values);
    }

    [Theory]
    [InlineData("https://api.openai.com", "/v1/chat/completions", "https://api.openai.com/v1/chat/completions")]
    [InlineData("https://api.openai.com/v1", "/v1/chat/completions", "https://api.openai.com/v1/chat/completions")]
    [InlineData("http://10.0.0.1:9000/openai/v1/", "/v1/models", "http://10.0.0.1:9000/openai/v1/models")]
    [InlineData("http://127.0.0.1:5601/prefix", "/v1/messages", "http://127.0.0.1:5601/prefix/v1/messages")]
    public void Target_JoinsUpstreamAndPath_WithoutDoublingV1(string upstream, string path, string expected)
        => Assert.Equal(expected, Gateway.Target(new Uri(upstream), path, null).ToString());
}

using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Proxy.Otlp;
using static Amber.Proxy.Tests.Otlp.OtlpPayloads;

namespace Amber.Proxy.Tests.Otlp;

/// <summary>POST /v1/traces with hand-written exports: the JSON encoding, limits, gzip, partial success, retries and secrets.</summary>
public sealed class OtlpReceiverTests : GatewayTestBase
{
    private const string SecretKey = "sk-proj-OTLPSECRET0123456789abcdef";

    private async Task<(HttpStatusCode Status, string Body, string? ContentType)> PostAsync(byte[] body, string contentType, string? encoding = null)
    {
        using var http = new HttpClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        using var response = await http.PostAsync(new Uri(GatewayUrl, OtlpReceiver.Route), content, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response.Content.Headers.ContentType?.MediaType);
    }

    private Task<(HttpStatusCode Status, string Body, string? ContentType)> PostJsonAsync(string json) => PostAsync(Encoding.UTF8.GetBytes(json), "application/json");

    [Fact]
    public async Task JsonExport_GenAiAndHttpSpans_RecordsTheChatSpan_AndCountsTheIgnoredOneInPartialSuccess()
    {
        var (status, body, type) = await PostJsonAsync(Request(ChatSpan("00f067aa0ba902b7", "Hello?", "Hi there."), HttpSpan("00f067aa0ba902b8")));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", type);
        var partial = JsonNode.Parse(body)!["partialSuccess"]!;
        Assert.Null(partial["rejectedSpans"]); // a warning only: nothing was rejected
        Assert.Contains("recorded 1 model call(s)", partial["errorMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("ignored 1 span(s) without gen_ai attributes", partial["errorMessage"]!.GetValue<string>(), StringComparison.Ordinal);

        var conversation = Assert.Single(Conversations());
        Assert.Equal("otlp", conversation.Source);
        Assert.Equal("T3", conversation.Tier);
        var answerId = Archive.FindNodeByKey(GenAiSpan.Key(TraceId, "00f067aa0ba902b7"))!;
        var answer = Archive.GetNode(answerId)!;
        Assert.Equal("Hi there.", Assert.IsType<TextBlock>(Assert.Single(answer.Content)).Text);
        Assert.Equal("2025-12-06T05:46:41.500Z", answer.Created); // the span's end, not the time it arrived
        Assert.Equal(1500, answer.Generation!.TotalMs);
        Assert.Equal(12, answer.Generation.Usage!["input_tokens"]!.GetValue<long>());
        Assert.Equal("stop", answer.Generation.FinishReason);
        var model = Archive.GetModel(answer.Generation.Model)!;
        Assert.Equal(("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"), (model.Provider, model.Requested, model.Resolved));
    }

    [Fact]
    public async Task JsonExport_SentTwice_SecondAddsNothing_AndSaysSo()
    {
        var request = Request(ChatSpan("00f067aa0ba902b7", "Hello?", "Hi there."));
        Assert.Equal(HttpStatusCode.OK, (await PostJsonAsync(request)).Status);
        var before = Archive.GetStats();

        var (status, body, _) = await PostJsonAsync(request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("1 span(s) were already recorded", body, StringComparison.Ordinal);
        var after = Archive.GetStats();
        Assert.Equal(before.Nodes, after.Nodes);
        Assert.Equal(before.Conversations, after.Conversations);
        Assert.Equal(before.Commits, after.Commits);
    }

    [Fact]
    public async Task JsonExport_TwoCallsOfOneConversationInOneRequest_AreStitchedInStartOrder()
    {
        var second = ChatSpan("00000000000000b2", "Q2", "A2", startNano: 1_765_000_010_000_000_000);
        second["attributes"]!.AsArray()[7] = KeyValue("gen_ai.input.messages", Str("""[{"role":"user","parts":[{"type":"text","content":"Q1"}]},{"role":"assistant","parts":[{"type":"text","content":"A1"}]},{"role":"user","parts":[{"type":"text","content":"Q2"}]}]"""));

        // The later call comes first on the wire; the receiver records in start order so it finds the earlier answer.
        var (status, _, _) = await PostJsonAsync(Request(second, ChatSpan("00000000000000b1", "Q1", "A1")));

        Assert.Equal(HttpStatusCode.OK, status);
        var conversation = Assert.Single(Conversations());
        Assert.Equal(1, conversation.Instances);
        Assert.Equal(4, Archive.GetConversation(conversation.Id)!.Tree.Nodes.Count);
    }

    [Fact]
    public async Task GzipJsonExport_IsDecoded()
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(Request(ChatSpan("00f067aa0ba902b7", "Zipped?", "Yes."))));
        }

        var (status, _, _) = await PostAsync(packed.ToArray(), "application/json", "gzip");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(Archive.FindNodeByKey(GenAiSpan.Key(TraceId, "00f067aa0ba902b7")));
    }

    [Fact]
    public async Task Export_OverTheBodyLimit_Is413_WithAClearMessage()
    {
        await StopGatewayAsync();
        await StartGatewayAsync(Options() with { MaxRequestBodyBytes = 2048 });

        var (status, body, _) = await PostJsonAsync(Request(ChatSpan("00f067aa0ba902b7", new string('x', 4096), "big")));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("at most 2048", body, StringComparison.Ordinal);
        Assert.Empty(Conversations());
    }

    [Fact]
    public async Task GzipExport_DecodingPastTheLimit_Is413()
    {
        await StopGatewayAsync();
        await StartGatewayAsync(Options() with { MaxRequestBodyBytes = 4096 });
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(Request(ChatSpan("00f067aa0ba902b7", new string('x', 100_000), "bomb"))));
        }

        var (status, body, _) = await PostAsync(packed.ToArray(), "application/json", "gzip");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("decodes to more than the 4096 bytes", body, StringComparison.Ordinal);
        Assert.Empty(Conversations());
    }

    [Theory]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8e", "not valid JSON")]
    [InlineData("{\"resourceSpans\":{}}", "ExportTraceServiceRequest.resourceSpans: expected an array")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"not-hex\",\"spanId\":\"00f067aa0ba902b7\"}]}]}]}", "resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a hex string")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"00f067aa0ba902b7\",\"attributes\":[{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"twelve\"}}]}]}]}]}", "attributes[0].value.intValue: expected a 64-bit integer")]
    public async Task JsonExport_Malformed_Is400NamingTheProblem_AndNothingIsRecorded(string json, string expected)
    {
        var good = ChatSpan("00f067aa0ba902b7", "Hello?", "Hi.");
        var (status, body, _) = await PostJsonAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, JsonNode.Parse(body)!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("nothing was recorded", body, StringComparison.Ordinal);
        Assert.Empty(Conversations());
        Assert.NotNull(good);
    }

    [Fact]
    public async Task ProtobufExport_Truncated_Is400NamingWhere_AndNothingIsRecorded()
    {
        // resourceSpans (field 1, length 5) holding scopeSpans (field 2) that claims 40 bytes but has 3.
        byte[] body = [0x0A, 0x05, 0x12, 0x28, 0x01, 0x02, 0x03];

        var (status, text, type) = await PostAsync(body, "application/x-protobuf");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/x-protobuf", type);
        Assert.Contains("resourceSpans[0]: a length of 40 bytes past the end of the message", text, StringComparison.Ordinal); // google.rpc.Status.message, readable in the bytes
        Assert.Empty(Conversations());
    }

    [Fact]
    public async Task Export_WithAnotherContentType_Is415()
    {
        var (status, body, _) = await PostAsync(Encoding.UTF8.GetBytes(Request(ChatSpan("00f067aa0ba902b7", "Hello?", "Hi."))), "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("application/x-protobuf", body, StringComparison.Ordinal);
        Assert.Empty(Conversations());
    }

    [Fact]
    public async Task GetOnTraces_Is405_AndNotForwarded()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(GatewayUrl, OtlpReceiver.Route), Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Empty(Upstream.Requests);
    }

    [Fact]
    public async Task JsonExport_GenAiSpanWithUnreadableMessages_IsRejectedAlone_InPartialSuccess()
    {
        var bad = ChatSpan("00000000000000b2", "x", "y");
        bad["attributes"]!.AsArray()[7] = KeyValue("gen_ai.input.messages", Str("[{\"role\":"));

        var (status, body, _) = await PostJsonAsync(Request(ChatSpan("00000000000000b1", "Fine?", "Fine."), bad));

        Assert.Equal(HttpStatusCode.OK, status);
        var partial = JsonNode.Parse(body)!["partialSuccess"]!;
        Assert.Equal("1", partial["rejectedSpans"]!.GetValue<string>());
        Assert.Contains("spans[1]: attribute gen_ai.input.messages is not valid JSON", partial["errorMessage"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(Archive.FindNodeByKey(GenAiSpan.Key(TraceId, "00000000000000b1")));
        Assert.Null(Archive.FindNodeByKey(GenAiSpan.Key(TraceId, "00000000000000b2")));
    }

    [Fact]
    public async Task JsonExport_SecretsInAttributes_AreNeverStored_OnlyTheirNames()
    {
        var span = ChatSpan(
            "00f067aa0ba902b7",
            "Hello?",
            "Hi.",
            extra: [
                KeyValue("http.request.header.authorization", new JsonObject { ["arrayValue"] = new JsonObject { ["values"] = new JsonArray { Str("Bearer " + SecretKey) } } }),
                KeyValue("app.note", Str(SecretKey)),
                KeyValue("gen_ai.request.api_key", Str("plain-secret-value")),
            ]);
        var (status, _, _) = await PostJsonAsync(Request(new JsonArray { KeyValue("service.name", Str("shop")), KeyValue("db.password", Str("hunter2hunter2")) }, span));

        Assert.Equal(HttpStatusCode.OK, status);
        var view = Archive.GetConversation(Assert.Single(Conversations()).Id)!;
        var raw = JsonNode.Parse(Archive.GetBlob(view.Raw.Single())!)!;
        var removed = raw["removed_attributes"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(["http.request.header.authorization", "app.note", "gen_ai.request.api_key", "resource.db.password"], removed);
        Assert.Equal("shop", raw["resource"]!["service.name"]!.GetValue<string>());

        var stored = new StringBuilder(Encoding.UTF8.GetString(Archive.GetBlob(view.Raw.Single())!));
        foreach (var node in view.Tree.Nodes.Values)
        {
            stored.Append(Encoding.UTF8.GetString(node.ToCanonicalBytes()));
        }

        foreach (var secret in new[] { SecretKey, "plain-secret-value", "hunter2hunter2" })
        {
            Assert.DoesNotContain(secret, stored.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task JsonExport_OutputWithoutInput_HangsTheAnswerUnderAnInputNotCapturedMarker()
    {
        var span = ChatSpan("00f067aa0ba902b7", "unused", "Only the answer.");
        span["attributes"]!.AsArray().RemoveAt(7); // gen_ai.input.messages

        Assert.Equal(HttpStatusCode.OK, (await PostJsonAsync(Request(span))).Status);

        var answer = Archive.GetNode(Archive.FindNodeByKey(GenAiSpan.Key(TraceId, "00f067aa0ba902b7"))!)!;
        Assert.Equal("Only the answer.", Assert.IsType<TextBlock>(Assert.Single(answer.Content)).Text);
        Assert.Equal("input_not_captured", answer.Meta!["content"]!.GetValue<string>());
        Assert.DoesNotContain(GenAiSpan.MetadataOnlyFlag, answer.Flags);
        var request = Archive.GetNode(answer.Parent!)!;
        Assert.Equal("input_not_captured", Assert.IsType<OpaqueBlock>(Assert.Single(request.Content)).ItemType);
    }

    [Fact]
    public async Task JsonExport_OlderEventConvention_MessagesFromEvents()
    {
        static JsonObject Event(string name, string content) => new()
        {
            ["timeUnixNano"] = "1765000000000000000",
            ["name"] = name,
            ["attributes"] = new JsonArray { KeyValue("gen_ai.event.content", Str(content)) },
        };
        var span = new JsonObject
        {
            ["traceId"] = TraceId,
            ["spanId"] = "00f067aa0ba902b7",
            ["name"] = "chat",
            ["startTimeUnixNano"] = "1765000000000000000",
            ["endTimeUnixNano"] = "1765000001000000000",
            ["attributes"] = new JsonArray { KeyValue("gen_ai.system", Str("openai")), KeyValue("gen_ai.request.model", Str("gpt-4o")), KeyValue("gen_ai.response.model", Str("gpt-4o-2024-08-06")) },
            ["events"] = new JsonArray
            {
                Event("gen_ai.system.message", """{"content":"Be terse."}"""),
                Event("gen_ai.user.message", """{"content":"Hi?"}"""),
                Event("gen_ai.choice", """{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hello."}}"""),
            },
        };

        Assert.Equal(HttpStatusCode.OK, (await PostJsonAsync(Request(span))).Status);

        var view = Archive.GetConversation(Assert.Single(Conversations()).Id)!;
        var answerId = Archive.FindNodeByKey(GenAiSpan.Key(TraceId, "00f067aa0ba902b7"))!;
        var path = view.Tree.PathTo(answerId).Select(p => p.Node).ToList();
        Assert.Equal(["system", "user", "assistant"], path.Select(n => n.Role));
        Assert.Equal(["Be terse.", "Hi?", "Hello."], path.Select(n => Assert.IsType<TextBlock>(Assert.Single(n.Content)).Text));
        Assert.Equal("stop", path[2].Generation!.FinishReason);
        Assert.Equal("openai", Archive.GetModel(path[2].Generation!.Model)!.Provider);
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Proxy.Secrets;
using Microsoft.AspNetCore.Http;

namespace Amber.Proxy.Tests.Hardening;

/// <summary>Issue 20 items 7, 8 and 18: what the gateway stores of a call's credentials (nothing), wherever they travel.</summary>
public sealed class StoredSecretsTests : CaptureHardeningTestBase
{
    private const string MetadataKey = "META-API-KEY-SECRET-000111";
    private const string UserKey = "sk-proj-USERFIELDKEY0123456789abcd";
    private const string McpToken = "MCP-AUTH-TOKEN-SECRET-000222";
    private const string McpHeader = "MCP-HEADER-SECRET-000333";
    private const string McpCustomHeader = "CUSTOM-HEADER-SECRET-000444";

    [Fact]
    public async Task Item07_Capture_MetadataApiKeyAndKeyShapedUser_AreRedactedInStorage_AndForwardedUnchanged()
    {
        var body = $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello there"}],"metadata":{"api_key":"{{MetadataKey}}","purpose":"demo"},"user":"{{UserKey}}"}""";
        using var response = await PostAsync("/v1/chat/completions", body, ("Authorization", "Bearer " + OpenAiKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(Upstream.Requests).Body); // what the provider gets is untouched
        var raw = Assert.Single(RawExchanges());
        Assert.Equal(["/metadata/api_key", "/user"], raw.Redacted);
        Assert.Equal(body.Replace(MetadataKey, CredentialRules.Marker, StringComparison.Ordinal).Replace(UserKey, CredentialRules.Marker, StringComparison.Ordinal), raw.RequestText);
        var answer = Archive.GetNode(Archive.FindNodeByKey(raw.Instance)!)!;
        Assert.Equal("/metadata/api_key", answer.Meta!["redacted"]!["request"]![0]!.GetValue<string>());
        await AssertNowhereStoredAsync(MetadataKey, UserKey, OpenAiKey);
    }

    [Fact]
    public async Task Item07_Capture_AnthropicMcpServerAuthorizationToken_IsRedacted()
    {
        var body = $$"""{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"use the tools"}],"mcp_servers":[{"type":"url","url":"https://mcp.example/sse","name":"files","authorization_token":"{{McpToken}}"}]}""";
        using var response = await PostAsync("/v1/messages", body, ("x-api-key", AnthropicKey), ("anthropic-version", "2023-06-01"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(McpToken, Assert.Single(Upstream.Requests).Body, StringComparison.Ordinal);
        Assert.Equal(["/mcp_servers/0/authorization_token"], Assert.Single(RawExchanges()).Redacted);
        await AssertNowhereStoredAsync(McpToken, AnthropicKey);
    }

    [Fact]
    public async Task Item07_Capture_ResponsesMcpToolHeaders_AreRedacted_WhileFunctionSchemasAndContentStay()
    {
        var body = """
            {"model":"gpt-4.1-mini","input":"my password is in the vault, not here",
             "tools":[{"type":"mcp","server_label":"files","server_url":"https://mcp.example","headers":{"Authorization":"Bearer MCP_HEADER","X-Custom":"MCP_CUSTOM"}},
                      {"type":"function","name":"login","parameters":{"type":"object","properties":{"password":{"type":"string","description":"the user's password"}}}}]}
            """.Replace("MCP_HEADER", McpHeader, StringComparison.Ordinal).Replace("MCP_CUSTOM", McpCustomHeader, StringComparison.Ordinal);
        using var response = await PostAsync("/v1/responses", body, ("Authorization", "Bearer " + OpenAiKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var raw = Assert.Single(RawExchanges());
        Assert.Equal(["/tools/0/headers/Authorization", "/tools/0/headers/X-Custom"], raw.Redacted);
        var stored = JsonNode.Parse(raw.RequestText)!;
        Assert.Equal("my password is in the vault, not here", stored["input"]!.GetValue<string>());
        Assert.Equal("the user's password", stored["tools"]![1]!["parameters"]!["properties"]!["password"]!["description"]!.GetValue<string>());
        await AssertNowhereStoredAsync(McpHeader, McpCustomHeader, OpenAiKey);
    }

    [Fact]
    public void Item07_Scrub_CredentialMembersAnywhereOutsideTheConversation_AreSplicedOut_OtherBytesKept()
    {
        var body = """{ "a/b": {"client_secret" : "s1-long-enough", "max_tokens": 5, "prompt_cache_key": "cache-1"}, "list": ["Bearer abcdefghijklmnop", "Bearer tokens are sent in a header", "plain"], "messages": [{"role":"user","content":"x","token":"kept-as-content"}] }"""u8.ToArray();

        var scrubbed = RequestScrubber.Scrub(body);

        Assert.Equal(["/a~1b/client_secret", "/list/0"], scrubbed.Pointers);
        Assert.Equal(
            """{ "a/b": {"client_secret" : "[redacted]", "max_tokens": 5, "prompt_cache_key": "cache-1"}, "list": ["[redacted]", "Bearer tokens are sent in a header", "plain"], "messages": [{"role":"user","content":"x","token":"kept-as-content"}] }""",
            Encoding.UTF8.GetString(scrubbed.Bytes.Span));
    }

    [Fact]
    public async Task Item08_Capture_QueryAndHeaderCredentialsOutsideTheOldDenyList_AreNotStored_AndTheirNamesAreListed()
    {
        const string sig = "SIG-SECRET-QUERY-000555";
        const string code = "CODE-SECRET-QUERY-000666";
        const string pass = "PASS-SECRET-HEADER-000777";
        const string requestSig = "SIG-SECRET-HEADER-000888";
        const string custom = "UNFORESEEN-HEADER-VALUE-000999";
        using var response = await PostAsync(
            $"/v1/chat/completions?api-version=2024-10-21&sig={sig}&code={code}",
            """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""",
            ("Authorization", "Bearer " + OpenAiKey), ("X-Api-Pass", pass), ("X-Request-Sig", requestSig), ("X-Unforeseen", custom), ("User-Agent", "hardening-test/1.0"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var raw = Assert.Single(RawExchanges());
        Assert.Equal("?api-version=2024-10-21", raw.Query);
        Assert.Equal(["sig", "code"], raw.RemovedQuery);
        Assert.Contains("x-api-pass", raw.RemovedRequestHeaders);
        Assert.Contains("x-request-sig", raw.RemovedRequestHeaders);
        Assert.Contains("x-unforeseen", raw.RemovedRequestHeaders);
        Assert.Equal("hardening-test/1.0", raw.RequestHeader("user-agent"));
        await AssertNowhereStoredAsync(sig, code, pass, requestSig, custom, OpenAiKey);
    }

    [Fact]
    public async Task Item08_Capture_ResponseHeadersOffTheAllowList_AreDropped_RateLimitsKept()
    {
        const string debug = "RESP-DEBUG-HEADER-SECRET-001010";
        const string organization = "org-RESPONSE-ORGANIZATION-001111";
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.Headers["X-Upstream-Debug"] = debug;
            context.Response.Headers["openai-organization"] = organization;
            context.Response.Headers["x-ratelimit-remaining-requests"] = "99";
            context.Response.Headers["x-request-id"] = "req_scripted";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(ChatCompletion("fine"), context.RequestAborted);
        });
        await UseUpstreamAsync(upstream.Url);

        using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(debug, response.Headers.GetValues("X-Upstream-Debug").Single()); // the client still gets every header
        var raw = Assert.Single(RawExchanges());
        Assert.Equal("99", raw.ResponseHeader("x-ratelimit-remaining-requests"));
        Assert.Equal("req_scripted", raw.ResponseHeader("x-request-id"));
        Assert.Contains("x-upstream-debug", raw.RemovedResponseHeaders);
        Assert.Contains("openai-organization", raw.RemovedResponseHeaders);
        await AssertNowhereStoredAsync(debug, organization);
    }

    [Fact]
    public async Task Item18_Capture_UpstreamErrorEchoingTheKey_IsStoredWithTheMarker_AndPassedOnUnchanged()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            var key = context.Request.Headers.Authorization.ToString()["Bearer ".Length..];
            context.Response.StatusCode = 401;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"error":{"message":"Incorrect API key provided: KEY. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","code":"invalid_api_key"}}""".Replace("KEY", key, StringComparison.Ordinal), context.RequestAborted);
        });
        await UseUpstreamAsync(upstream.Url);

        using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", ("Authorization", "Bearer " + OpenAiKey));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(OpenAiKey, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var raw = Assert.Single(RawExchanges());
        Assert.Contains($"Incorrect API key provided: {CredentialRules.Marker}.", raw.ResponseText, StringComparison.Ordinal);
        Assert.Equal(1, raw.ResponseEchoes);
        await AssertNowhereStoredAsync(OpenAiKey);
    }

    [Fact]
    public async Task Item18_Capture_KeySplitAcrossStreamReads_IsStillRedacted_InTheRawDocumentAndTheAnswer()
    {
        var half = OpenAiKey.Length / 2;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.StartAsync(context.RequestAborted);
            const string head = """data: {"id":"chatcmpl-s","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"you sent """;
            await context.Response.WriteAsync(head + OpenAiKey[..half], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(200, context.RequestAborted); // the two halves leave as separate reads
            await context.Response.WriteAsync(OpenAiKey[half..] + "\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n", context.RequestAborted);
        });
        await UseUpstreamAsync(upstream.Url);

        using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"echo"}]}""", ("Authorization", "Bearer " + OpenAiKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var raw = Assert.Single(RawExchanges());
        Assert.True(raw.Chunks.Count >= 2, "the key must arrive split over at least two reads for this test to mean anything");
        Assert.Equal(1, raw.ResponseEchoes);
        var answer = Archive.GetNode(Archive.FindNodeByKey(raw.Instance)!)!;
        Assert.Equal($"you sent {CredentialRules.Marker}", Assert.IsType<Amber.Core.Model.TextBlock>(answer.Content.Single()).Text);
        await AssertNowhereStoredAsync(OpenAiKey);
    }

    private static string ChatCompletion(string text)
        => """{"id":"chatcmpl-x","object":"chat.completion","created":1764192000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"TEXT"},"finish_reason":"stop"}]}""".Replace("TEXT", text, StringComparison.Ordinal);
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Anthropic.Models.Messages;

namespace Amber.Proxy.Tests.Hardening;

/// <summary>Issue 20 item 9: a captured call whose body the archive could not keep as JSON is refused before it is forwarded (and billed).</summary>
public sealed class RequestBodyTests : CaptureHardeningTestBase
{
    [Fact]
    public async Task Item09_Capture_DuplicateKeys_AreRefusedBeforeForwarding_With400NamingTheMemberAndWhere()
    {
        using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a","content":"b"}]}""", ("Authorization", "Bearer " + OpenAiKey));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("amber_invalid_request", error["code"]!.GetValue<string>());
        var message = error["message"]!.GetValue<string>();
        Assert.Contains("\"content\" appears twice", message, StringComparison.Ordinal);
        Assert.Contains("/messages/0", message, StringComparison.Ordinal);
        Assert.Empty(Upstream.Requests); // nothing forwarded, nothing billed
        Assert.Empty(Conversations());
    }

    [Fact]
    public async Task Item09_Capture_InvalidUtf8_IsRefusedBeforeForwarding_With400()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"caf_"}]}""");
        body[Array.IndexOf(body, (byte)'_')] = 0xE9; // Latin-1 é: not UTF-8

        using var response = await PostAsync("/v1/chat/completions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid UTF-8", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(Upstream.Requests);
        Assert.Empty(Conversations());
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"model\":\"gpt-4o-mini\",")]
    [InlineData("")]
    public async Task Item09_Capture_BodyThatIsNotOneJsonObject_IsRefusedBeforeForwarding(string body)
    {
        using var response = await PostAsync("/v1/responses", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("amber_invalid_request", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(Upstream.Requests);
        Assert.Empty(Conversations());
    }

    [Fact]
    public async Task Item09_Capture_DuplicateKeysFromTheAnthropicSdkRoute_SurfaceAsAnSdkErrorWithTheMessage()
    {
        // The error shape is one both SDKs read: the Anthropic client reports the gateway's message.
        using var response = await PostAsync("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":8,"max_tokens":9,"messages":[{"role":"user","content":"hi"}]}""", ("x-api-key", AnthropicKey), ("anthropic-version", "2023-06-01"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\\u0022max_tokens\\u0022 appears twice in the object at the top level", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // A well-formed call on the same route still goes through.
        var ok = await Claude().Messages.Create(new MessageCreateParams { Model = "claude-sonnet-4-5", MaxTokens = 16, Messages = [new UserMessageParam { Content = "fine" }] }, Ct);
        Assert.NotNull(ok);
        Assert.Single(Upstream.Requests);
    }
}

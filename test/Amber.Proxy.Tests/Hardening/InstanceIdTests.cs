using System.Net;
using Amber.Core.Model;
using Amber.Proxy.Exchanges;
using Amber.Storage.Reading;

namespace Amber.Proxy.Tests.Hardening;

/// <summary>Issue 20 item 16: the <c>Amber-Instance</c> id of a call that got no response resolves to its stored prompt.</summary>
public sealed class InstanceIdTests : CaptureHardeningTestBase
{
    public static TheoryData<string, string> Routes => new()
    {
        { "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"are you there?"}]}""" },
        { "/v1/responses", """{"model":"gpt-4.1-mini","input":"are you there?"}""" },
        { "/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"are you there?"}]}""" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Item16_Capture_UpstreamResetBeforeHeaders_InstanceIdResolvesToAnInterruptedAnswerUnderThePrompt(string path, string body)
    {
        await using var upstream = await ScriptedUpstream.StartAsync(context =>
        {
            context.Abort(); // reset before any header
            return Task.CompletedTask;
        });
        await UseUpstreamAsync(upstream.Url);

        using var response = await PostAsync(path, body);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        AssertResolvesToThePrompt(response.Headers.GetValues(Gateway.InstanceHeader).Single());
    }

    [Fact]
    public async Task Item16_Capture_UpstreamRefused_InstanceIdResolves()
    {
        await UseUpstreamAsync(new Uri("http://127.0.0.1:1"));

        using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"are you there?"}]}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        AssertResolvesToThePrompt(response.Headers.GetValues(Gateway.InstanceHeader).Single());
    }

    [Fact]
    public async Task Item16_Capture_UpstreamTimeoutBeforeHeaders_InstanceIdResolves()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            try
            {
                await release.Task.WaitAsync(context.RequestAborted); // never answers
            }
            catch (OperationCanceledException)
            {
            }
        });
        await UseUpstreamAsync(upstream.Url, o => o with { UpstreamTimeout = TimeSpan.FromMilliseconds(300) });

        using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"are you there?"}]}""");

        release.TrySetResult();
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var answer = AssertResolvesToThePrompt(response.Headers.GetValues(Gateway.InstanceHeader).Single());
        Assert.Equal(Outcomes.Timeout, answer.Meta!["outcome"]!.GetValue<string>());
    }

    private Node AssertResolvesToThePrompt(string instance)
    {
        var resolved = Archive.Resolve(instance); // what `amber show` and /api/… use
        Assert.Equal(ResolvedKind.Node, resolved.Kind);
        var answer = Archive.GetNode(resolved.Id)!;
        Assert.Equal("assistant", answer.Role);
        Assert.Contains(NodeFlags.Interrupted, answer.Flags);
        Assert.Contains(NodeFlags.Empty, answer.Flags);
        Assert.Empty(answer.Content);
        Assert.Equal(instance, answer.Meta!["instance"]!.GetValue<string>());
        var prompt = Archive.GetNode(answer.Parent!)!;
        Assert.Equal("are you there?", Assert.IsType<TextBlock>(Assert.Single(prompt.Content)).Text);
        var raw = RawExchange.Parse(Archive.GetBlob(answer.Meta!["exchange"]!.GetValue<string>())!);
        Assert.Null(raw.Status); // no response arrived
        return answer;
    }
}

using System.Net;
using System.Text;
using Amber.Cli.Tests.Hardening;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary><c>amber proxy</c> end to end: a real port, a fake upstream, and <c>amber show</c> finding the instance by the id the client got.</summary>
public sealed class ProxyCommandTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Proxy_ForwardsAndCaptures_ThenShowResolvesTheAmberInstanceHeader(bool encrypted)
    {
        using var cli = new CliRunner();
        cli.Init(encrypted);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Answer("Recorded through amber proxy.");
        string instance;
        await using (var proxy = await RunningServer.StartAsync(cli, "proxy", "--openai-upstream", upstream.Url.ToString(), "--notice"))
        {
            using var http = new HttpClient { BaseAddress = proxy.Url };
            using var response = await http.PostAsync(
                "/v1/chat/completions",
                new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
                TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Recorded through amber proxy.", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
            instance = response.Headers.GetValues("Amber-Instance").Single();
            Assert.Contains("notice on", proxy.Printed, StringComparison.Ordinal);
        }

        var (exit, shown, _) = cli.Run("show", instance);
        Assert.Equal(0, exit);
        Assert.Contains("Recorded through amber proxy.", shown, StringComparison.Ordinal);
        Assert.Contains("T3", shown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("proxy", "--openai-upstream", "ftp://example.org")]
    [InlineData("proxy", "--listen", "somewhere")]
    [InlineData("serve", "--anthropic-upstream", "not a url")]
    public void BadGatewayOption_IsAUsageError_NamingTheOption(string command, string option, string value)
    {
        using var cli = new CliRunner();
        var (exit, _, err) = cli.Run(command, option, value);
        Assert.Equal(2, exit);
        Assert.Contains(option, err, StringComparison.Ordinal);
    }

    [Fact]
    public void Ack_AcceptsOnlyDurableOrAsync()
    {
        using var cli = new CliRunner();
        var (exit, _, _) = cli.Run("proxy", "--ack", "sometimes");
        Assert.NotEqual(0, exit);
    }
}

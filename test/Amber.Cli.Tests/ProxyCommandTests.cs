using System.Net;
using System.Net.Sockets;
using System.Text;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary><c>amber proxy</c> end to end: a real port, a fake upstream, and <c>amber show</c> finding the instance by the id the client got.</summary>
public sealed class ProxyCommandTests
{
    [Fact]
    public async Task Proxy_ForwardsAndCaptures_ThenShowResolvesTheAmberInstanceHeader()
    {
        using var cli = new CliRunner();
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Answer("Recorded through amber proxy.");
        var port = FreePort();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var output = new StringWriter();
        var error = new StringWriter();
        var running = AmberCli.RunAsync(["--archive", cli.ArchiveDir, "proxy", "--listen", $"127.0.0.1:{port}", "--openai-upstream", upstream.Url.ToString(), "--notice"], output, error, stop.Token);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitUntilUp(http, running, error);
        using var response = await http.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Recorded through amber proxy.", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var instance = response.Headers.GetValues("Amber-Instance").Single();

        await stop.CancelAsync();
        Assert.Equal(0, await running);
        Assert.Contains("notice on", output.ToString(), StringComparison.Ordinal);

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

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task WaitUntilUp(HttpClient http, Task<int> running, StringWriter error)
    {
        for (var i = 0; i < 200; i++)
        {
            if (running.IsCompleted)
            {
                Assert.Fail($"amber proxy exited with {await running}: {error}");
            }

            try
            {
                using var health = await http.GetAsync("/healthz", TestContext.Current.CancellationToken);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail("amber proxy did not start listening within 10 s.");
    }
}

using System.Net;
using System.Net.Sockets;
using Amber.Testing;

namespace Amber.Cli.Tests.Hardening;

/// <summary>
/// Items 6, 17, 21 and 23 of issue 20 on `amber serve` and `amber proxy` run as the CLI runs them: a real
/// port, a fake upstream, the viewer and the gateway on one host.
/// </summary>
public sealed class ServerCommandTests
{
    private const string ViewerToken = "Vw7-k2Qx9_Lm4Rt8Vb1Nc6Hs3Jd0Wp5YeTq";
    private const string ClientKey = "sk-test-CLIENT-KEY-5e6f7a8b9c0d";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/models")]
    [InlineData("/V1/models")]
    [InlineData("/V1/MODELS")]
    [InlineData("/%76%31/models")]
    [InlineData("/%56%31/models")]
    [InlineData("/v1/../v1/models")]
    [InlineData("/api/../V1/models")]
    public async Task Item06_Serve_ViewerTokenAndCookie_NeverReachTheUpstreamOnAnySpelling(string path)
    {
        using var cli = new CliRunner();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var server = await RunningServer.StartAsync(cli, "serve", "--token", ViewerToken, "--openai-upstream", upstream.Url.ToString());

        // A browser holding the viewer's cookie, and a script sending the viewer's bearer token: neither is the upstream's,
        // nor is the Amber-Token header that /v1 needs with --token (the server's token is an admin token).
        foreach (var credential in new[] { $"Amber-Token: {ViewerToken}\r\nAuthorization: Bearer {ViewerToken}", $"Amber-Token: {ViewerToken}\r\nAuthorization: Bearer {ClientKey}\r\nCookie: amber_token={ViewerToken}; theme=dark" })
        {
            var answer = await RawHttp.SendAsync(server.Url, $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.Url.Port}\r\n{credential}\r\nConnection: close\r\n\r\n", Ct);
            Assert.Equal(200, answer.Status);
        }

        Assert.Equal(2, upstream.Requests.Count);
        foreach (var (_, headers, _) in upstream.Requests)
        {
            Assert.DoesNotContain(ViewerToken, string.Join("\n", headers.Select(h => $"{h.Key}: {h.Value}")), StringComparison.Ordinal);
        }

        var second = upstream.Requests.Last().Headers;
        Assert.Equal("Bearer " + ClientKey, second["Authorization"]);
        Assert.Equal("theme=dark", second["Cookie"]);
    }

    [Theory]
    [InlineData("proxy")]
    [InlineData("serve")]
    public async Task Item17_Start_UpstreamUserInfo_IsMaskedInEveryLine(string command)
    {
        using var cli = new CliRunner();
        await using var upstream = await FakeUpstream.StartAsync();
        var withCredentials = new UriBuilder(upstream.Url) { UserName = "alice", Password = "hunter2-upstream-pass" }.Uri.ToString();
        var server = await RunningServer.StartAsync(cli, command, "--openai-upstream", withCredentials, "--anthropic-upstream", withCredentials);
        await using (server)
        {
            using var http = new HttpClient();
            using var forwarded = await http.GetAsync(new Uri(server.Url, "/v1/models"), Ct); // forwarded with the credentials, printed nowhere
        }

        var printed = server.Printed + server.Errors;
        Assert.Contains("***@", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void Item17_BadUpstream_UsageErrorMasksTheUserInfo()
    {
        using var cli = new CliRunner();
        var (exit, output, err) = cli.Run("proxy", "--openai-upstream", "ftp://alice:hunter2-upstream-pass@example.org/v1");
        Assert.Equal(2, exit);
        Assert.Contains("--openai-upstream", err, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output + err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("0123456789012345678901234567890")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("has spaces in it so it is not a token at all")]
    public async Task Item21_Serve_WeakToken_IsAUsageErrorStatingTheRule(string token)
    {
        using var cli = new CliRunner();
        var (exit, output, err) = await RunUnlessItStarts(cli, "serve", "--listen", "127.0.0.1:0", "--token", token);
        Assert.Equal(2, exit);
        Assert.Contains("--token", err, StringComparison.Ordinal);
        Assert.DoesNotContain("serving", output, StringComparison.Ordinal);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Item21_Serve_StrongTokenAndGeneratedTokens_PassTheRule()
    {
        using var cli = new CliRunner();
        await using (var server = await RunningServer.StartAsync(cli, "serve", "--token", ViewerToken))
        {
            Assert.Contains(ViewerToken, server.Printed, StringComparison.Ordinal); // a token that passes the rule is taken
        }

        // A generated token is what serve prints beyond loopback; the rule it must pass is the one --token is held to.
        var rng = new Random(7);
        var generated = Amber.Viewer.Security.AccessToken.Create(b => rng.NextBytes(b));
        Assert.True(generated.Length >= 32);
        Assert.Null(Amber.Viewer.Security.AccessToken.Problem(generated));
    }

    [Theory]
    [InlineData("proxy")]
    [InlineData("serve")]
    public async Task Item23_Listen_Ipv4MappedLoopback_IsLoopback(string command)
    {
        using var cli = new CliRunner();
        var port = RunningServer.FreePort();
        await using var server = await RunningServer.StartAsync(cli, port, command, "--listen", $"[::ffff:127.0.0.1]:{port}");
        Assert.DoesNotContain("token", server.Printed + server.Errors, StringComparison.OrdinalIgnoreCase); // loopback: no token generated, no warning
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"), Ct)).StatusCode);
    }

    [Theory]
    [InlineData("[::ffff:127.0.0.1")]
    [InlineData("::1:0")]
    [InlineData("[::1]")]
    [InlineData("[]:0")]
    [InlineData("127.1:0")]
    [InlineData("127.0.0.1:+80")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("224.0.0.1:0")]
    [InlineData("255.255.255.255:0")]
    [InlineData("[ff02::1]:0")]
    [InlineData("example.com:8080")]
    public async Task Item23_Listen_MalformedOrUnlistenableValue_IsAUsageErrorWithoutAStackTrace(string listen)
    {
        foreach (var command in new[] { "proxy", "serve" })
        {
            using var cli = new CliRunner();
            var (exit, _, err) = await RunUnlessItStarts(cli, command, "--listen", listen);
            Assert.Equal(2, exit);
            Assert.StartsWith("amber: --listen", err, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Item23_Listen_PortInUse_IsOneLineAndExit1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        foreach (var command in new[] { "proxy", "serve" })
        {
            using var cli = new CliRunner();
            var output = new StringWriter();
            var error = new StringWriter();
            var exit = await AmberCli.RunAsync(["--archive", cli.ArchiveDir, command, "--listen", $"127.0.0.1:{port}"], output, error, cli.Environment, Ct);
            Assert.Equal(1, exit);
            Assert.StartsWith($"amber: cannot listen on 127.0.0.1:{port}", error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
        }
    }

    /// <summary>Runs a server command that should refuse to start; one that starts anyway (its start-up line appears) is stopped and fails the test.</summary>
    private static async Task<(int Exit, string Out, string Err)> RunUnlessItStarts(CliRunner cli, params string[] args)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var output = new StringWriter();
        var error = new StringWriter();
        var running = Task.Run(() => AmberCli.RunAsync(["--archive", cli.ArchiveDir, .. args], output, error, cli.Environment, stop.Token), Ct);
        while (!running.IsCompleted)
        {
            if (output.ToString().Contains("Ctrl+C stops", StringComparison.Ordinal))
            {
                await stop.CancelAsync();
                await running;
                Assert.Fail($"amber {string.Join(' ', args)} started: {output}");
            }

            await Task.Delay(20, Ct);
        }

        return (await running, output.ToString(), error.ToString());
    }
}

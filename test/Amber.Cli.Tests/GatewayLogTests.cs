using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Cli.Tests.Hardening;

namespace Amber.Cli.Tests;

/// <summary>
/// <c>amber proxy --log-format json</c>, run as its own process: every line it writes on stdout is one JSON object of
/// Microsoft.Extensions.Logging's JSON console format, its own messages included (where it listens, an upstream that
/// failed), each with its event id.
/// </summary>
public sealed class GatewayLogTests
{
    [Fact]
    public async Task Proxy_WithJsonLogs_WritesOneJsonObjectPerMessage_WithEventIds_ForTheListenLineAndAnUpstreamFailure()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cli = new CliRunner();
        var port = RunningServer.FreePort();
        var psi = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "amber.dll"), "--archive", cli.ArchiveDir, "proxy",
            "--listen", $"127.0.0.1:{port}", "--openai-upstream", "http://127.0.0.1:1/", "--log-format", "json"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        var lines = new ConcurrentQueue<string>();
        var errors = new StringBuilder();
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lines.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (errors) { errors.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Until(async () =>
            {
                try
                {
                    using var health = await http.GetAsync("/healthz", ct);
                    return health.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, () => $"the proxy did not start: {errors}");

            using var call = await http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"), ct);
            Assert.Equal(HttpStatusCode.BadGateway, call.StatusCode);
            await Until(() => Task.FromResult(lines.Any(l => l.Contains("\"UpstreamFailed\"", StringComparison.Ordinal) || l.Contains("\"EventId\":1001", StringComparison.Ordinal))),
                () => $"no upstream failure logged; stdout: {string.Join('\n', lines)}; stderr: {errors}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(ct);
        }

        var objects = lines.Where(l => l.Length > 0).Select(l => JsonNode.Parse(l) as JsonObject ?? throw new Xunit.Sdk.XunitException($"not a JSON object: {l}")).ToList();
        Assert.All(objects, o => Assert.True(o["EventId"] is not null && o["LogLevel"] is not null && o["Category"] is not null && o["Message"] is not null, o.ToJsonString()));
        var listening = Assert.Single(objects, o => o["EventId"]!.GetValue<int>() == 1201);
        Assert.Equal("Amber.Host", listening["Category"]!.GetValue<string>());
        Assert.Contains($"127.0.0.1:{port}", listening["Message"]!.GetValue<string>(), StringComparison.Ordinal);
        var failed = Assert.Single(objects, o => o["EventId"]!.GetValue<int>() == 1001);
        Assert.Equal(("Warning", "Amber.Proxy.Gateway"), (failed["LogLevel"]!.GetValue<string>(), failed["Category"]!.GetValue<string>()));
        Assert.Equal("openai.chat", failed["State"]!["Protocol"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(failed["State"]!["Instance"]!.GetValue<string>()));
    }

    private static async Task Until(Func<Task<bool>> condition, Func<string> failure)
    {
        for (var i = 0; i < 400; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail(failure());
    }
}

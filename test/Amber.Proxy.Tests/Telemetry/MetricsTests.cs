using System.Net;
using Amber.Core.Hosting.AspNet;
using OpenAI.Chat;

namespace Amber.Proxy.Tests.Telemetry;

/// <summary>/metrics, /healthz and /readyz on the gateway's host, after real captured calls.</summary>
public sealed class MetricsTests : GatewayTestBase
{
    [Fact]
    public async Task Metrics_AfterACapturedCall_ParseStrictly_WithTheCaptureCounterByProtocol_AndCommitHistograms()
    {
        Upstream.Answer("Paris.");
        await Chat().CompleteChatAsync([new UserChatMessage("Capital of France?")], cancellationToken: Ct);

        using var http = new HttpClient { BaseAddress = GatewayUrl };
        using var response = await http.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var exposition = PrometheusText.Parse(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal("counter", exposition.Types["amber_gateway_captures_total"]);
        var captured = exposition.Samples.Where(s => s.Name == "amber_gateway_captures_total" && s.Labels.GetValueOrDefault("protocol") == "openai.chat" && s.Labels.GetValueOrDefault("outcome") == "complete");
        Assert.True(captured.Sum(s => s.Value) >= 1, "no openai.chat capture counted");

        foreach (var histogram in new[] { "amber_commit_duration_seconds", "amber_fsync_duration_seconds" })
        {
            Assert.Equal("histogram", exposition.Types[histogram]);
            var buckets = exposition.Samples.Where(s => s.Name == histogram + "_bucket").ToList();
            Assert.True(buckets.Count > 1, $"{histogram} has no buckets");
            Assert.All(buckets, b => Assert.True(b.Labels.ContainsKey("le")));
            var count = exposition.Samples.Where(s => s.Name == histogram + "_count").Sum(s => s.Value);
            Assert.True(count >= 1, $"{histogram} counted nothing");
            Assert.Equal(count, buckets.Where(b => b.Labels["le"] == "+Inf").Sum(b => b.Value));
            Assert.Contains(exposition.Samples, s => s.Name == histogram + "_sum");
        }

        Assert.True(exposition.Samples.Where(s => s.Name == "amber_storage_written_bytes_total").Sum(s => s.Value) > 0);
        Assert.Contains(exposition.Samples, s => s.Name == "amber_index_lag");
    }

    [Fact]
    public async Task Metrics_CountAnUnreachableUpstreamAsAnUpstreamError()
    {
        await StopGatewayAsync();
        var closed = new Uri("http://127.0.0.1:1/");
        await StartGatewayAsync(Options() with { OpenAiUpstream = closed, AnthropicUpstream = closed });
        using var http = new HttpClient { BaseAddress = GatewayUrl };
        using var call = await http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadGateway, call.StatusCode);

        var exposition = PrometheusText.Parse(await http.GetStringAsync("/metrics", Ct));
        var errors = exposition.Samples.Where(s => s.Name == "amber_gateway_upstream_errors_total" && s.Labels.GetValueOrDefault("protocol") == "openai.chat" && s.Labels.GetValueOrDefault("kind") == "upstream_failed");
        Assert.True(errors.Sum(s => s.Value) >= 1, "the failed upstream call was not counted");
    }

    [Fact]
    public async Task Healthz_IsOk_AndReadyz_IsReady_WhileTheArchiveIsWritableAndIndexed()
    {
        using var http = new HttpClient { BaseAddress = GatewayUrl };
        Assert.Equal("ok", await http.GetStringAsync("/healthz", Ct));
        using var ready = await http.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", await ready.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public void NotReady_SaysWhy_WhenTheArchiveIsReadOnly()
    {
        // The gateway's archive holds the writer lock, so a second open of the same folder is read-only.
        using var reader = Archives.Open(o => o with { IndexPath = null });
        Assert.True(reader.IsReadOnly);
        Assert.Contains("read-only", Observability.NotReady(reader), StringComparison.Ordinal);
        Assert.Null(Observability.NotReady(Archive));
    }

    [Fact]
    public async Task Readyz_Answers503_OnAReadOnlyArchive()
    {
        using var reader = Archives.Open(o => o with { IndexPath = null });
        await using var host = GatewayHost.Build(reader, "127.0.0.1:0", Options());
        await host.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = new Uri(host.Urls.First()) };
        using var response = await http.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("not ready: ", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("ok", await http.GetStringAsync("/healthz", Ct));
        await host.StopAsync(Ct);
    }
}

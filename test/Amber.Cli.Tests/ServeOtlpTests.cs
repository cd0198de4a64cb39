using System.Net;
using System.Text;
using Amber.Cli.Tests.Hardening;

namespace Amber.Cli.Tests;

/// <summary><c>amber serve</c> receives an OTLP/HTTP trace export at /v1/traces; <c>amber show</c> then finds the call by its span and gives back the stored span.</summary>
public sealed class ServeOtlpTests
{
    private const string Export = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
          "scopeSpans":[{"scope":{"name":"Experimental.Microsoft.Extensions.AI"},"spans":[{
            "traceId":"5b8efff798038103d269b633813fc60c","spanId":"00f067aa0ba902b7","name":"chat gpt-4o-mini","kind":3,
            "startTimeUnixNano":"1765000000000000000","endTimeUnixNano":"1765000001000000000",
            "attributes":[
              {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
              {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
              {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},
              {"key":"gen_ai.response.model","value":{"stringValue":"gpt-4o-mini-2024-07-18"}},
              {"key":"gen_ai.request.temperature","value":{"doubleValue":0.3}},
              {"key":"gen_ai.usage.input_tokens","value":{"intValue":"9"}},
              {"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Which port?\"}]}]"}},
              {"key":"gen_ai.output.messages","value":{"stringValue":"[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Traces arrive at /v1/traces.\"}]}]"}}]}]}]}]}
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Serve_ReceivesOtlpJsonExport_ThenShowFindsTheSpanAndItsRawDocument(bool encrypted)
    {
        using var cli = new CliRunner();
        cli.Init(encrypted);
        await using (var server = await RunningServer.StartAsync(cli, "serve"))
        {
            using var http = new HttpClient { BaseAddress = server.Url };
            using var response = await http.PostAsync("/v1/traces", new StringContent(Export, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("{}", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)); // full success: no partialSuccess
        }

        var (exit, shown, _) = cli.Run("show", "otlp:5b8efff798038103d269b633813fc60c:00f067aa0ba902b7");
        Assert.Equal(0, exit);
        Assert.Contains("Which port?", shown, StringComparison.Ordinal);
        Assert.Contains("Traces arrive at /v1/traces.", shown, StringComparison.Ordinal);
        Assert.Contains("T3", shown, StringComparison.Ordinal);

        var (listed, ls, _) = cli.Run("ls", "--source", "otlp", "--json");
        Assert.Equal(0, listed);
        var id = System.Text.Json.Nodes.JsonNode.Parse(ls.Split('\n')[0])!["id"]!.GetValue<string>();
        var (rawExit, raw, _) = cli.Run("show", id, "--raw");
        Assert.Equal(0, rawExit);
        Assert.Contains("\"type\":\"amber.otlp-span/v1\"", raw, StringComparison.Ordinal);
        Assert.Contains("\"span_id\":\"00f067aa0ba902b7\"", raw, StringComparison.Ordinal);
    }
}

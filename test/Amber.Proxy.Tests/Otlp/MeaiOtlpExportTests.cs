using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Proxy.Otlp;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace Amber.Proxy.Tests.Otlp;

/// <summary>A real .NET app: Microsoft.Extensions.AI's <c>UseOpenTelemetry()</c> with the OpenTelemetry SDK's OTLP exporter (HTTP/protobuf) sending to the gateway host on loopback.</summary>
public sealed class MeaiOtlpExportTests : GatewayTestBase
{
    private (TracerProvider Tracer, IChatClient Client) App(bool sensitive, params object[] answers)
    {
        var source = "amber-test-" + Guid.NewGuid().ToString("N");
        var tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(source)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(GatewayUrl, OtlpReceiver.Route);
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build();
        var client = new ChatClientBuilder(new FakeChatModel(answers))
            .UseOpenTelemetry(sourceName: source, configure: c => c.EnableSensitiveData = sensitive)
            .Build();
        return (tracer, client);
    }

    [Fact]
    public async Task UseOpenTelemetry_TwoTurnsWithContent_RecordsOneStitchedT3InstanceWithModelsUsageAndMessages()
    {
        var (tracer, client) = App(sensitive: true, "Paris.", "Rome.");
        using (tracer)
        using (client)
        {
            var options = new ChatOptions { ModelId = "fake-model", Temperature = 0.25f, Seed = 7, MaxOutputTokens = 64 };
            List<ChatMessage> history = [new(ChatRole.System, "Answer in one word."), new(ChatRole.User, "Capital of France?")];
            var first = await client.GetResponseAsync(history, options, Ct);
            history.AddMessages(first);
            history.Add(new ChatMessage(ChatRole.User, "And of Italy?"));
            await client.GetResponseAsync(history, options, Ct);
            Assert.True(tracer.ForceFlush(10_000));
        }

        var conversation = Assert.Single(Conversations());
        Assert.Equal("gateway", conversation.Format);
        Assert.Equal(GenAiSpan.Source, conversation.Source);
        Assert.Equal(1, conversation.Instances);
        Assert.Equal("T3", conversation.Tier);

        var view = Archive.GetConversation(conversation.Id)!;
        Assert.Equal(2, view.Raw.Count);
        var leaf = view.Tree.Nodes.Single(n => n.Value.Role == "assistant" && n.Value.Content.OfType<TextBlock>().Any(t => t.Text == "Rome.")).Key;
        var path = view.Tree.PathTo(leaf).Select(p => p.Node).ToList();
        Assert.Equal(["system", "user", "assistant", "user", "assistant"], path.Select(n => n.Role));
        Assert.Equal(["Answer in one word.", "Capital of France?", "Paris.", "And of Italy?", "Rome."], path.Select(n => Assert.IsType<TextBlock>(Assert.Single(n.Content)).Text));

        foreach (var (answer, inputTokens) in new[] { (path[2], 20), (path[4], 40) })
        {
            var g = answer.Generation!;
            var model = Archive.GetModel(g.Model)!;
            Assert.Equal(FakeChatModel.Provider, model.Provider);
            Assert.Equal("fake-model", model.Requested);
            Assert.Equal(FakeChatModel.ResolvedModel, model.Resolved);
            Assert.Equal(inputTokens, g.Usage!["input_tokens"]!.GetValue<long>());
            Assert.Equal(5, g.Usage!["output_tokens"]!.GetValue<long>());
            Assert.Equal(0.25, g.Parameters!["temperature"]!.GetValue<double>(), 3);
            Assert.Equal(64, g.Parameters!["max_tokens"]!.GetValue<long>());
            Assert.Equal(7, g.Seed);
            Assert.Equal("stop", g.FinishReason);
            Assert.Equal(GenAiSpan.Source, answer.Meta!["source"]!.GetValue<string>());
            Assert.DoesNotContain(GenAiSpan.MetadataOnlyFlag, answer.Flags);
        }

        // The raw span document is kept beside the nodes and names the span it came from.
        var raw = JsonNode.Parse(Archive.GetBlob(view.Raw[0])!)!;
        Assert.Equal(GenAiSpan.RawType, raw["type"]!.GetValue<string>());
        Assert.Equal(32, raw["trace_id"]!.GetValue<string>().Length);
        Assert.NotNull(Archive.FindNodeByKey(GenAiSpan.Key(raw["trace_id"]!.GetValue<string>(), raw["span_id"]!.GetValue<string>())));
    }

    [Fact]
    public async Task UseOpenTelemetry_ToolCallRound_KeepsCallAndResultAsBlocks_AndStitchesTheSecondCallOntoTheFirst()
    {
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]);
        var (tracer, client) = App(sensitive: true, call, "It is sunny in Paris.");
        using (tracer)
        using (client)
        {
            List<ChatMessage> history = [new(ChatRole.User, "Weather in Paris?")];
            var first = await client.GetResponseAsync(history, new ChatOptions { ModelId = "fake-model" }, Ct);
            history.AddMessages(first);
            history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny, 21 C")]));
            await client.GetResponseAsync(history, new ChatOptions { ModelId = "fake-model" }, Ct);
            Assert.True(tracer.ForceFlush(10_000));
        }

        var conversation = Assert.Single(Conversations());
        Assert.Equal(1, conversation.Instances);
        var view = Archive.GetConversation(conversation.Id)!;
        var leaf = view.Tree.Nodes.Single(n => n.Value.Content.OfType<TextBlock>().Any(t => t.Text == "It is sunny in Paris.")).Key;
        var path = view.Tree.PathTo(leaf).Select(p => p.Node).ToList();
        Assert.Equal(["user", "assistant", "tool", "assistant"], path.Select(n => n.Role));
        var toolCall = Assert.IsType<ToolCallBlock>(Assert.Single(path[1].Content));
        Assert.Equal(("call_1", "get_weather", "Paris"), (toolCall.Id, toolCall.Name, toolCall.Arguments!["city"]!.GetValue<string>()));
        Assert.NotNull(path[1].Generation);
        var result = Assert.IsType<ToolResultBlock>(Assert.Single(path[2].Content));
        Assert.Equal("call_1", result.CallId);
        Assert.Contains("sunny, 21 C", Assert.IsType<TextBlock>(Assert.Single(result.Content)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseOpenTelemetry_WithoutSensitiveData_RecordsMetadataOnlyT4RecordWithModelAndUsage()
    {
        var (tracer, client) = App(sensitive: false, "Secret answer.");
        using (tracer)
        using (client)
        {
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Secret question?")], new ChatOptions { ModelId = "fake-model", Temperature = 0.5f }, Ct);
            Assert.True(tracer.ForceFlush(10_000));
        }

        var conversation = Assert.Single(Conversations());
        Assert.Equal("T4", conversation.Tier);
        Assert.Contains("metadata only", conversation.Title, StringComparison.Ordinal);
        var view = Archive.GetConversation(conversation.Id)!;
        var answer = Assert.Single(view.Tree.Nodes.Values, n => n.Role == "assistant");
        Assert.Contains(GenAiSpan.MetadataOnlyFlag, answer.Flags);
        Assert.Empty(answer.Content);
        Assert.Equal("not_captured", answer.Meta!["content"]!.GetValue<string>());
        Assert.Equal(0.5, answer.Meta!["parameters"]!["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(10, answer.Generation!.Usage!["input_tokens"]!.GetValue<long>());
        Assert.Equal(FakeChatModel.ResolvedModel, Archive.GetModel(answer.Generation.Model)!.Resolved);
        var request = Assert.Single(view.Tree.Nodes.Values, n => n.Role == "request");
        Assert.Equal("content_not_captured", Assert.IsType<OpaqueBlock>(Assert.Single(request.Content)).ItemType);

        // Nothing of the conversation's text reached the archive.
        var raw = Encoding.UTF8.GetString(Archive.GetBlob(view.Raw.Single())!);
        Assert.DoesNotContain("Secret question", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret answer", raw, StringComparison.Ordinal);
    }
}

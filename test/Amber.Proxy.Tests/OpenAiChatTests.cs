using System.Net;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Proxy.Exchanges;
using Amber.Testing;
using OpenAI.Chat;

namespace Amber.Proxy.Tests;

/// <summary>Chat Completions through the gateway with the official OpenAI SDK.</summary>
public sealed class OpenAiChatTests : GatewayTestBase
{
    [Fact]
    public async Task CompleteChat_NonStreaming_ReturnsUpstreamAnswer_AndRecordsT3Instance()
    {
        Upstream.Answer("Paris is the capital of France.");
        var result = await Chat().CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("What is the capital of France?")], new ChatCompletionOptions { Seed = 7, Temperature = 0.2f }, Ct);

        Assert.Equal("Paris is the capital of France.", result.Value.Content[0].Text);
        var instance = result.GetRawResponse().Headers.TryGetValue(Gateway.InstanceHeader, out var h) ? h : null;
        Assert.StartsWith(InstanceIds.Prefix, instance);

        var conversation = Assert.Single(Conversations());
        Assert.Equal("gateway", conversation.Format);
        Assert.Equal("openai.chat", conversation.Source);
        Assert.Equal("T3", conversation.Tier);
        Assert.Equal(1, conversation.Instances);

        var answerId = Archive.FindNodeByKey(InstanceIds.Key(instance!));
        Assert.NotNull(answerId);
        Assert.Equal(answerId, Archive.Resolve(instance!).Id);
        var answer = Archive.GetNode(answerId!)!;
        Assert.Equal("assistant", answer.Role);
        Assert.Equal("Paris is the capital of France.", Assert.IsType<TextBlock>(answer.Content[0]).Text);
        var g = answer.Generation!;
        Assert.Equal(7, g.Seed);
        Assert.Equal("stop", g.FinishReason);
        Assert.Equal(11, g.Usage!["total_tokens"]!.GetValue<int>());
        Assert.Equal(0.2, g.Parameters!["temperature"]!.GetValue<double>(), 3);
        var model = Archive.GetModel(g.Model)!;
        Assert.Equal("gpt-4o-mini", model.Requested);
        Assert.Equal(FakeUpstream.ChatModel, model.Resolved);
        Assert.Equal("fp_test", model.Fingerprint);
        Assert.Equal("2020-10-01", model.ApiVersion);

        var path = Archive.GetConversation(conversation.Id)!.Tree.PathTo(answerId!);
        Assert.Equal(["system", "user", "assistant"], path.Select(p => p.Node.Role));
    }

    [Fact]
    public async Task CompleteChatStreaming_DeliversEveryUpdate_AndRecordsAssembledAnswerWithTimings()
    {
        Upstream.Answer("one two three four");
        var text = "";
        ChatFinishReason? finish = null;
        await foreach (var update in Chat().CompleteChatStreamingAsync([new UserChatMessage("Count to four.")], cancellationToken: Ct))
        {
            text += string.Concat(update.ContentUpdate.Select(c => c.Text));
            finish ??= update.FinishReason;
        }

        Assert.Equal("one two three four", text);
        Assert.Equal(ChatFinishReason.Stop, finish);
        var conversation = Assert.Single(Conversations());
        var view = Archive.GetConversation(conversation.Id)!;
        var answer = view.Tree.Nodes.Values.Single(n => n.Role == "assistant");
        Assert.Equal("one two three four", Assert.IsType<TextBlock>(answer.Content.Single()).Text);
        Assert.Equal("stop", answer.Generation!.FinishReason);
        Assert.NotNull(answer.Generation.TimeToFirstTokenMs);
        Assert.NotNull(answer.Generation.TotalMs);
        Assert.True(answer.Generation.Parameters!["stream"]!.GetValue<bool>());
        Assert.Equal(11, answer.Generation.Usage!["total_tokens"]!.GetValue<int>());

        // The raw exchange keeps the SSE bytes exactly as they arrived, chunk by chunk.
        var raw = RawExchange.Parse(Archive.GetBlob(view.Raw.Single())!);
        Assert.True(raw.Streamed);
        Assert.EndsWith("data: [DONE]\n\n", raw.ResponseText, StringComparison.Ordinal);
        Assert.Equal(raw.ResponseBody.Length, raw.Chunks.Sum(c => c.Length));
    }

    [Fact]
    public async Task CompleteChat_ToolCallRoundTrip_StitchesToolCallAndResultIntoOnePath()
    {
        var tool = ChatTool.CreateFunctionTool("get_weather", "Weather for a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""));
        var options = new ChatCompletionOptions { Tools = { tool } };
        List<ChatMessage> messages = [new UserChatMessage("Weather in Paris?")];
        var first = await Chat().CompleteChatAsync(messages, options, Ct);
        var call = Assert.Single(first.Value.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);

        messages.Add(new AssistantChatMessage(first.Value));
        messages.Add(new ToolChatMessage(call.Id, "18 °C and sunny"));
        Upstream.Answer("It is 18 °C and sunny in Paris.");
        var text = "";
        await foreach (var u in Chat().CompleteChatStreamingAsync(messages, options, Ct))
        {
            text += string.Concat(u.ContentUpdate.Select(c => c.Text));
        }

        Assert.Equal("It is 18 °C and sunny in Paris.", text);
        var conversation = Assert.Single(Conversations());
        Assert.Equal(1, conversation.Instances);
        var view = Archive.GetConversation(conversation.Id)!;
        var leaf = Assert.Single(view.Tree.Leaves);
        var path = view.Tree.PathTo(leaf).Select(p => p.Node).ToList();
        Assert.Equal(["user", "assistant", "tool", "assistant"], path.Select(n => n.Role));
        var toolCall = Assert.IsType<ToolCallBlock>(path[1].Content.Single());
        Assert.Equal("Paris", toolCall.Arguments!["city"]!.GetValue<string>());
        Assert.Equal("tool_calls", path[1].Generation!.FinishReason);
        var result = Assert.IsType<ToolResultBlock>(path[2].Content.Single());
        Assert.Equal(call.Id, result.CallId);
        Assert.NotNull(view.Record);
        Assert.Contains("get_weather", path[3].Generation!.Parameters!["tools"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThreeCalls_OfOneConversation_AreStitchedIntoOneConversationWithOneInstance()
    {
        List<ChatMessage> messages = [new SystemChatMessage("You are terse."), new UserChatMessage("Hi")];
        for (var turn = 0; turn < 3; turn++)
        {
            var reply = await Chat().CompleteChatAsync(messages, cancellationToken: Ct);
            messages.Add(new AssistantChatMessage(reply.Value.Content[0].Text));
            messages.Add(new UserChatMessage($"And then {turn}?"));
        }

        var conversation = Assert.Single(Conversations());
        Assert.Equal(1, conversation.Instances);
        Assert.Equal(7, conversation.Nodes); // system, 3 × (user, assistant)
        var view = Archive.GetConversation(conversation.Id)!;
        Assert.Equal(3, view.Raw.Count);
        var path = view.Tree.PathTo(Assert.Single(view.Tree.Leaves));
        Assert.Equal(7, path.Count);
    }

    [Fact]
    public async Task SamePrefix_WithNewAnswer_BecomesSecondInstanceOfSameConversation()
    {
        List<ChatMessage> messages = [new UserChatMessage("Tell me a joke.")];
        Upstream.Answer("Joke one.");
        await Chat().CompleteChatAsync(messages, cancellationToken: Ct);
        Upstream.Answer("Joke two.");
        await Chat().CompleteChatAsync(messages, cancellationToken: Ct);

        var conversation = Assert.Single(Conversations());
        Assert.Equal(2, conversation.Instances);
        var view = Archive.GetConversation(conversation.Id)!;
        var user = Assert.Single(view.Tree.Nodes, n => n.Value.Role == "user");
        Assert.Equal(2, view.Tree.ChildrenOf(user.Key).Count);
    }

    [Fact]
    public async Task NewPrefix_StartsNewConversation()
    {
        await Chat().CompleteChatAsync([new UserChatMessage("First topic")], cancellationToken: Ct);
        await Chat().CompleteChatAsync([new UserChatMessage("Second topic")], cancellationToken: Ct);
        Assert.Equal(2, Conversations().Count);
    }

    [Fact]
    public async Task Models_IsPassedThrough_WithoutCaptureOrInstanceHeader()
    {
        var models = await OpenAi().GetOpenAIModelClient().GetModelsAsync(Ct);
        Assert.Contains(models.Value, m => m.Id == FakeUpstream.ChatModel);
        Assert.False(models.GetRawResponse().Headers.TryGetValue(Gateway.InstanceHeader, out _));
        Assert.Empty(Conversations());
        Assert.Equal("/v1/models", Upstream.Requests.Last().Path);
    }

    [Fact]
    public async Task Upstream_ReceivesClientCredentialAndBodyUnchanged()
    {
        await Chat().CompleteChatAsync([new UserChatMessage("Hello")], cancellationToken: Ct);
        var (_, headers, body) = Upstream.Requests.Single();
        Assert.Equal($"Bearer {OpenAiKey}", headers["Authorization"]);
        var raw = RawExchange.Parse(Archive.GetBlob(Archive.GetConversation(Conversations()[0].Id)!.Raw[0])!);
        Assert.Equal(body, raw.RequestText);
        Assert.Null(raw.ForwardedBody);
        Assert.Contains("authorization", raw.RemovedRequestHeaders);
    }

    [Fact]
    public async Task StreamedResponse_PassesStatusHeadersAndBytesThroughUnchanged()
    {
        using var http = new HttpClient();
        Upstream.Answer("exactly these bytes");
        Upstream.Answer("exactly these bytes");
        var body = """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"bytes"}]}""";
        using var direct = await http.PostAsync(new Uri(Upstream.Url, "/v1/chat/completions"), new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        var directBytes = await direct.Content.ReadAsByteArrayAsync(Ct);
        using var proxied = await http.PostAsync(new Uri(GatewayUrl, "/v1/chat/completions"), new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        var proxiedBytes = await proxied.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("text/event-stream", proxied.Content.Headers.ContentType!.MediaType);
        Assert.Equal("2020-10-01", proxied.Headers.GetValues("openai-version").Single());
        Assert.Equal("FakeUpstream/1.0 (loopback)", proxied.Headers.NonValidated["Server"].ToString()); // one header, as sent
        // The fake numbers its completions; the second call's bytes differ only in that id.
        Assert.Equal(System.Text.Encoding.UTF8.GetString(directBytes).Replace("chatcmpl-1", "chatcmpl-2", StringComparison.Ordinal), System.Text.Encoding.UTF8.GetString(proxiedBytes));
        Assert.True(proxied.Headers.Contains(Gateway.InstanceHeader));
        var recorded = JsonNode.Parse(Archive.GetBlob(Archive.GetConversation(Conversations()[0].Id)!.Raw[0])!)!;
        Assert.Equal("amber.exchange/v1", recorded["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task ImageInPrompt_IsStoredAsBlob_AndNamedByTheUserNode()
    {
        var png = new byte[] { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5 };
        var user = new UserChatMessage(ChatMessageContentPart.CreateTextPart("What is in this image?"), ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/png"));
        await Chat().CompleteChatAsync([user], cancellationToken: Ct);

        var view = Archive.GetConversation(Assert.Single(Conversations()).Id)!;
        var node = view.Tree.Nodes.Values.Single(n => n.Role == "user");
        var image = Assert.IsType<BlobBlock>(node.Content[1]);
        Assert.Equal("image", image.BlobKind);
        Assert.Equal("image/png", image.MediaType);
        Assert.Equal(png, Archive.GetBlob(image.Blob));
    }
}

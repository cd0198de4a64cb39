using Amber.Core.Model;
using Amber.Testing;
using OpenAI.Responses;

namespace Amber.Proxy.Tests;

/// <summary>OpenAI Responses through the gateway with the official SDK, including previous_response_id continuations.</summary>
public sealed class OpenAiResponsesTests : GatewayTestBase
{
    [Fact]
    public async Task CreateResponse_ThenContinueWithPreviousResponseId_AttachesToEarlierExchange()
    {
        var client = OpenAi().GetResponsesClient();
        Upstream.Answer("First answer.");
        var first = await client.CreateResponseAsync(new CreateResponseOptions("gpt-4.1-mini", [ResponseItem.CreateUserMessageItem("Start a story.")]) { Instructions = "Be poetic." }, Ct);
        Assert.Equal("First answer.", first.Value.GetOutputText());

        Upstream.Answer("Second answer.");
        var second = await client.CreateResponseAsync(new CreateResponseOptions("gpt-4.1-mini", [ResponseItem.CreateUserMessageItem("Go on.")]) { PreviousResponseId = first.Value.Id }, Ct);
        Assert.Equal("Second answer.", second.Value.GetOutputText());

        var conversation = Assert.Single(Conversations());
        Assert.Equal("openai.responses", conversation.Source);
        Assert.Equal(1, conversation.Instances);
        var view = Archive.GetConversation(conversation.Id)!;
        var path = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
        Assert.Equal(["system", "user", "assistant", "user", "assistant"], path.Select(n => n.Role));
        Assert.Equal("First answer.", Assert.IsType<TextBlock>(path[2].Content.Single()).Text);
        Assert.Equal(Archive.FindNodeByKey($"response:openai:{first.Value.Id}"), view.Tree.PathTo(view.Tree.Leaves[0])[2].Id);
        Assert.Equal("completed", path[4].Generation!.FinishReason);
        Assert.Equal(FakeUpstream.ResponsesModel, Archive.GetModel(path[4].Generation!.Model)!.Resolved);
    }

    [Fact]
    public async Task CreateResponseStreaming_DeliversDeltas_AndRecordsTheCompletedResponse()
    {
        var client = OpenAi().GetResponsesClient();
        Upstream.Answer("streamed responses text");
        var text = "";
        var completed = false;
        await foreach (var update in await client.CreateResponseStreamingAsync(new CreateResponseOptions("gpt-4.1-mini", [ResponseItem.CreateUserMessageItem("Stream it.")]) { StreamingEnabled = true }, Ct))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                text += delta.Delta;
            }

            completed |= update is StreamingResponseCompletedUpdate;
        }

        Assert.Equal("streamed responses text", text);
        Assert.True(completed);
        var view = Archive.GetConversation(Assert.Single(Conversations()).Id)!;
        var answer = view.Tree.Nodes.Values.Single(n => n.Role == "assistant");
        Assert.Equal("streamed responses text", Assert.IsType<TextBlock>(answer.Content.Single()).Text);
        Assert.Equal(11, answer.Generation!.Usage!["total_tokens"]!.GetValue<int>());
        Assert.Equal("T3", Assert.Single(Conversations()).Tier);
    }

    [Fact]
    public async Task ConversationObject_EachCallContinuesUnderTheConversationsLatestAnswer()
    {
        using var http = new HttpClient();
        foreach (var text in new[] { "first", "second", "third" })
        {
            using var response = await http.PostAsync(
                new Uri(GatewayUrl, "/v1/responses"),
                new StringContent($$"""{"model":"gpt-4.1-mini","conversation":"conv_abc","input":"{{text}}"}""", System.Text.Encoding.UTF8, "application/json"),
                Ct);
            response.EnsureSuccessStatusCode();
        }

        var conversation = Assert.Single(Conversations());
        Assert.Equal(1, conversation.Instances);
        var view = Archive.GetConversation(conversation.Id)!;
        var path = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
        Assert.Equal(["user", "assistant", "user", "assistant", "user", "assistant"], path.Select(n => n.Role));
        Assert.Equal("third", Assert.IsType<TextBlock>(path[4].Content.Single()).Text);
    }
}

using System.Text.Json;
using Amber.Core.Model;
using Amber.Testing;
using Anthropic.Models.Messages;
using TextBlock = Amber.Core.Model.TextBlock;
using ToolResultBlock = Amber.Core.Model.ToolResultBlock;

namespace Amber.Proxy.Tests;

/// <summary>Anthropic Messages through the gateway with the official Anthropic SDK (base URL without /v1).</summary>
public sealed class AnthropicMessagesTests : GatewayTestBase
{
    private static MessageCreateParams Params(params MessageParam[] messages) => new()
    {
        Model = "claude-sonnet-4-5",
        MaxTokens = 64,
        System = "You are a careful assistant.",
        Messages = messages,
    };

    [Fact]
    public async Task Create_NonStreaming_ReturnsAnswer_AndRecordsSystemPromptAndApiVersion()
    {
        Upstream.Answer("Bonjour.");
        var message = await Claude().Messages.Create(Params(new UserMessageParam { Content = "Say hello in French." }), Ct);

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.Equal("Bonjour.", text!.Text);
        var conversation = Assert.Single(Conversations());
        Assert.Equal("anthropic.messages", conversation.Source);
        Assert.Equal("T3", conversation.Tier);
        var view = Archive.GetConversation(conversation.Id)!;
        var path = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
        Assert.Equal(["system", "user", "assistant"], path.Select(n => n.Role));
        Assert.Equal("You are a careful assistant.", Assert.IsType<TextBlock>(path[0].Content.Single()).Text);
        Assert.Equal("end_turn", path[2].Generation!.FinishReason);
        Assert.Equal(64, path[2].Generation!.Parameters!["max_tokens"]!.GetValue<int>());
        var model = Archive.GetModel(path[2].Generation!.Model)!;
        Assert.Equal("anthropic", model.Provider);
        Assert.Equal(FakeUpstream.ClaudeModel, model.Resolved);
        Assert.Equal(Upstream.Requests.Single().Headers["anthropic-version"], model.ApiVersion);
    }

    [Fact]
    public async Task CreateStreaming_DeliversEveryDelta_AndRecordsAssembledAnswer()
    {
        Upstream.Answer("a streamed Claude answer");
        var text = "";
        var stopped = false;
        await foreach (var e in Claude().Messages.CreateStreaming(Params(new UserMessageParam { Content = "Stream please." }), Ct))
        {
            if (e.TryPickContentBlockDelta(out var d) && d.Delta.TryPickText(out var t))
            {
                text += t.Text;
            }

            stopped |= e.TryPickStop(out _);
        }

        Assert.Equal("a streamed Claude answer", text);
        Assert.True(stopped);
        var view = Archive.GetConversation(Assert.Single(Conversations()).Id)!;
        var answer = view.Tree.Nodes.Values.Single(n => n.Role == "assistant");
        Assert.Equal("a streamed Claude answer", Assert.IsType<TextBlock>(answer.Content.Single()).Text);
        Assert.Equal("end_turn", answer.Generation!.FinishReason);
        Assert.Equal(6, answer.Generation.Usage!["output_tokens"]!.GetValue<int>());
        Assert.Equal(5, answer.Generation.Usage!["input_tokens"]!.GetValue<int>());
        Assert.NotNull(answer.Generation.TimeToFirstTokenMs);
    }

    [Fact]
    public async Task ToolUse_ThenToolResult_IsOnePathWithToolCallAndResult()
    {
        var tool = new Tool { Name = "get_weather", InputSchema = new InputSchema { Properties = new Dictionary<string, JsonElement> { ["city"] = JsonSerializer.SerializeToElement(new { type = "string" }) } } };
        var first = Params(new UserMessageParam { Content = "Weather in Paris?" }) with { Tools = [tool] };
        var call = await Claude().Messages.Create(first, Ct);
        Assert.True(call.Content[0].TryPickToolUse(out var use));

        Upstream.Answer("18 °C and sunny.");
        var second = first with
        {
            Messages =
            [
                new UserMessageParam { Content = "Weather in Paris?" },
                new AssistantMessageParam { Content = new List<ContentBlockParam> { new ToolUseBlockParam { ID = use!.ID, Name = use.Name, Input = use.Input } } },
                new UserMessageParam { Content = new List<ContentBlockParam> { new ToolResultBlockParam { ToolUseID = use.ID, Content = "18 °C, sunny" } } },
            ],
        };
        await Claude().Messages.Create(second, Ct);

        var conversation = Assert.Single(Conversations());
        Assert.Equal(1, conversation.Instances);
        var view = Archive.GetConversation(conversation.Id)!;
        var path = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
        Assert.Equal(["system", "user", "assistant", "user", "assistant"], path.Select(n => n.Role));
        Assert.Equal("Paris", Assert.IsType<ToolCallBlock>(path[2].Content.Single()).Arguments!["city"]!.GetValue<string>());
        Assert.Equal("toolu_1", Assert.IsType<ToolResultBlock>(path[3].Content.Single()).CallId);
    }
}

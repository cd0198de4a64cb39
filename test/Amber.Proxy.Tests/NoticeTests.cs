using System.Text.Json.Nodes;
using Amber.Proxy.Exchanges;
using OpenAI.Chat;

namespace Amber.Proxy.Tests;

/// <summary><c>--notice</c>: the preservation notice joins the forwarded system prompt and is recorded, while the tree follows what the client sent.</summary>
public sealed class NoticeTests : GatewayTestBase
{
    protected override GatewayOptions Options() => base.Options() with { Notice = GatewayOptions.DefaultNotice };

    [Fact]
    public async Task Notice_IsAddedToForwardedSystemPrompt_AndRecordedOnTheAnswerAndInTheRawExchange()
    {
        List<ChatMessage> messages = [new SystemChatMessage("Be kind."), new UserChatMessage("Hello")];
        var first = await Chat().CompleteChatAsync(messages, cancellationToken: Ct);
        messages.Add(new AssistantChatMessage(first.Value.Content[0].Text));
        messages.Add(new UserChatMessage("Again"));
        await Chat().CompleteChatAsync(messages, cancellationToken: Ct);

        var forwarded = JsonNode.Parse(Upstream.Requests.First().Body)!;
        Assert.Equal($"Be kind.\n\n{GatewayOptions.DefaultNotice}", forwarded["messages"]![0]!["content"]!.GetValue<string>());

        var conversation = Assert.Single(Conversations());
        Assert.Equal(1, conversation.Instances); // the stitching follows the client's own messages
        var view = Archive.GetConversation(conversation.Id)!;
        var path = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
        Assert.Equal("Be kind.", Assert.IsType<Amber.Core.Model.TextBlock>(path[0].Content.Single()).Text);
        Assert.All(path.Where(n => n.Role == "assistant"), n => Assert.Equal(GatewayOptions.DefaultNotice, n.Meta!["notice"]!.GetValue<string>()));

        var raw = RawExchange.Parse(Archive.GetBlob(view.Raw[0])!);
        Assert.Equal(GatewayOptions.DefaultNotice, raw.Notice);
        Assert.DoesNotContain(GatewayOptions.DefaultNotice, raw.RequestText, StringComparison.Ordinal);
        Assert.Contains(GatewayOptions.DefaultNotice, System.Text.Encoding.UTF8.GetString(raw.ForwardedBody!.Value.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notice_WithoutSystemPrompt_IsSentAsANewSystemMessage()
    {
        await Chat().CompleteChatAsync([new UserChatMessage("No system prompt here")], cancellationToken: Ct);
        var forwarded = JsonNode.Parse(Upstream.Requests.Single().Body)!["messages"]!.AsArray();
        Assert.Equal("system", forwarded[0]!["role"]!.GetValue<string>());
        Assert.Equal(GatewayOptions.DefaultNotice, forwarded[0]!["content"]!.GetValue<string>());
        Assert.Equal("user", forwarded[1]!["role"]!.GetValue<string>());
    }
}

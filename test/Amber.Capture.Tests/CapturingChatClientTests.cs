using System.ClientModel;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using TextBlock = Amber.Core.Model.TextBlock;

namespace Amber.Capture.Tests;

/// <summary>The M.E.AI middleware over the real OpenAI SDK client (<c>AsIChatClient</c>) and a fake upstream on loopback.</summary>
public sealed class CapturingChatClientTests : IAsyncLifetime
{
    private readonly TestArchives t = new(FileSystemKind.Local);
    private Archive archive = null!;
    private FakeUpstream upstream = null!;
    private ConversationRecorder recorder = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        archive = t.Init();
        recorder = new ConversationRecorder(archive, t.Clock);
        upstream = await FakeUpstream.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await upstream.DisposeAsync();
        await archive.DisposeAsync();
        t.Dispose();
    }

    private IChatClient Inner() => new OpenAI.Chat.ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-test-meai"), new OpenAIClientOptions { Endpoint = new Uri(upstream.Url, "/v1") }).AsIChatClient();

    private IChatClient Client() => new ChatClientBuilder(Inner()).UseAmberCapture(recorder, o => o with { TimeProvider = t.Clock }).Build();

    private Node OnlyAnswer() => archive.GetConversation(Assert.Single(archive.ListConversations()).Id)!.Tree.Nodes.Values.Single(n => n.Role == "assistant");

    [Fact]
    public async Task GetResponseAsync_RecordsPromptAndAnswer_WithModelAndParameters()
    {
        upstream.Answer("Captured by the middleware.");
        var response = await Client().GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hello?")], new ChatOptions { Temperature = 0.5f, Seed = 3 }, Ct);

        Assert.Equal("Captured by the middleware.", response.Text);
        var instance = Assert.IsType<string>(response.AdditionalProperties![CapturingChatClient.InstanceProperty]);
        var conversation = Assert.Single(archive.ListConversations());
        Assert.Equal("meai", conversation.Source);
        Assert.Equal("T3", conversation.Tier);
        var answer = archive.GetNode(archive.FindNodeByKey("instance:" + instance)!)!;
        Assert.Equal("Captured by the middleware.", Assert.IsType<TextBlock>(answer.Content.Single()).Text);
        Assert.Equal(3, answer.Generation!.Seed);
        Assert.Equal(0.5, answer.Generation.Parameters!["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(11, answer.Generation.Usage!["total_tokens"]!.GetValue<long>());
        var model = archive.GetModel(answer.Generation.Model)!;
        Assert.Equal("openai", model.Provider);
        Assert.Equal(FakeUpstream.ChatModel, model.Resolved);
        Assert.Equal("gpt-4o-mini", model.Requested);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RecordsTheAssembledAnswer_WhenTheStreamEnds()
    {
        upstream.Answer("streamed through the middleware");
        var text = "";
        await foreach (var update in Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Stream")], cancellationToken: Ct))
        {
            text += update.Text;
        }

        Assert.Equal("streamed through the middleware", text);
        var answer = OnlyAnswer();
        Assert.Equal("streamed through the middleware", Assert.IsType<TextBlock>(answer.Content.Single()).Text);
        Assert.DoesNotContain(NodeFlags.Interrupted, answer.Flags);
        Assert.Equal("stop", answer.Generation!.FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_AbandonedMidStream_RecordsThePartialAnswerInFinally()
    {
        upstream.Behavior = UpstreamBehavior.StallMidStream;
        upstream.Answer("first second third");
        await foreach (var update in Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Stop early")], cancellationToken: Ct))
        {
            if (update.Text.Length > 0)
            {
                break;
            }
        }

        var answer = OnlyAnswer();
        Assert.Contains(NodeFlags.Interrupted, answer.Flags);
        Assert.Equal("first", Assert.IsType<TextBlock>(answer.Content.Single()).Text);
    }

    [Fact]
    public async Task TwoCallsOfOneConversation_AreStitchedLikeTheGateway()
    {
        List<ChatMessage> history = [new(ChatRole.User, "Hi")];
        var first = await Client().GetResponseAsync(history, cancellationToken: Ct);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "And again"));
        await Client().GetResponseAsync(history, cancellationToken: Ct);

        var conversation = Assert.Single(archive.ListConversations());
        Assert.Equal(1, conversation.Instances);
        Assert.Equal(4, conversation.Nodes);
    }

    [Fact]
    public async Task UseAmberCapture_WithoutRecorder_ResolvesTheArchiveFromServices()
    {
        using var services = new ServiceCollection().AddSingleton(archive).BuildServiceProvider();
        var client = new ChatClientBuilder(Inner()).UseAmberCapture().Build(services);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "From DI")], cancellationToken: Ct);
        Assert.Single(archive.ListConversations());
    }
}

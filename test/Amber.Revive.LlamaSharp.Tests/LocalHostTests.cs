using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Revive.LlamaSharp.Hosting;
using Amber.Revive.Replay;
using Amber.Storage;
using Amber.Testing;
using Amber.Viewer;
using Microsoft.AspNetCore.Builder;
using OpenAI;
using OpenAI.Chat;

namespace Amber.Revive.LlamaSharp.Tests;

/// <summary>The local model host behind `amber serve --local-model`, driven by the official OpenAI SDK over real HTTP.</summary>
public sealed class LocalHostTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>, IAsyncLifetime
{
    private readonly TestArchives archives = new(FileSystemKind.Local);
    private readonly LocalModelRegistry registry = new() { Freeze = true };
    private Archive archive = null!;
    private WebApplication app = null!;

    private string BaseUrl => app.Urls.First();

    public async ValueTask InitializeAsync()
    {
        archive = archives.Init();
        registry.Add(LocalModel.Load(tiny.ModelPath, tiny.Model.Settings, name: "tiny-local"));
        var options = new AmberServerOptions { Listen = "127.0.0.1:0" };
        options.Services.Add(s => s.AddLocalModels(registry));
        options.Endpoints.Add(e => e.UseLocalModels());
        // Stands in for the gateway, which maps every /v1 path: requests for other models must reach it.
        options.Endpoints.Add(e => e.Map("/v1/{**rest}", () => Microsoft.AspNetCore.Http.Results.Text("gateway")));
        app = AmberServer.Build(archive, options);
        await app.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        registry.Dispose();
        await archive.DisposeAsync();
        archives.Dispose();
    }

    private ChatClient Sdk() => new("tiny-local", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(BaseUrl + "/v1") });

    [Fact]
    public async Task ChatCompletions_TwoTurnsThroughTheSdk_RecordedAtT1AndEveryTurnReplaysExactly()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = Sdk();
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the local host honours it.
        var options = new ChatCompletionOptions { Temperature = 0.9f, Seed = 5, MaxOutputTokenCount = 20 };
#pragma warning restore OPENAI001
        List<OpenAI.Chat.ChatMessage> messages = [new SystemChatMessage("You tell stories."), new UserChatMessage("once upon a time")];
        var first = await client.CompleteChatAsync(messages, options, ct);
        messages.Add(new AssistantChatMessage(first.Value.Content[0].Text));
        messages.Add(new UserChatMessage("and then?"));
        var second = await client.CompleteChatAsync(messages, options, ct);
        Assert.NotEmpty(second.Value.Content[0].Text);

        var leaf = archive.ListInstances(10).Single();
        var target = RevivalTarget.Resolve(archive, leaf.Id);
        Assert.Equal(5, target.Path.Count); // system, user, assistant, user, assistant: one stitched path
        Assert.Equal("T1", leaf.Tier);
        var answer = target.Path[^1].Node;
        var model = target.Models[answer.Generation!.Model];
        Assert.Equal(Tier.T1, TierGrader.Grade(answer, model));
        Assert.NotNull(archive.GetBlob(answer.Generation.State!));

        using var replayer = new LocalReplayer(new ModelDirectory(tiny.ModelsDirectory));
        var report = await new InstanceReplayer([replayer]).ReplayAsync(target, ct);
        Assert.Equal(2, report.Exact);
        Assert.Equal(0, report.Diverged + report.Skipped);
    }

    [Fact]
    public async Task ChatCompletions_Streaming_StreamsTheSameTextTheArchiveRecords()
    {
        var ct = TestContext.Current.CancellationToken;
        var text = new System.Text.StringBuilder();
        await foreach (var update in Sdk().CompleteChatStreamingAsync([new UserChatMessage("hello world")], new ChatCompletionOptions { Temperature = 0f, MaxOutputTokenCount = 16 }, ct))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        var leaf = archive.ListInstances(10).Single();
        var answer = archive.GetNode(leaf.Id)!;
        Assert.Equal(ChatHistory.TextOf(answer), text.ToString());
        Assert.InRange(answer.Generation!.OutputTokenIds!.Count, 1, 16);
    }

    [Fact]
    public async Task ChatCompletions_ForAModelThatIsNotLocal_FallsThroughToTheGateway()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient();
        var body = new JsonObject { ["model"] = "gpt-4o", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }) };
        var response = await http.PostAsJsonAsync(BaseUrl + "/v1/chat/completions", body, ct);
        Assert.Equal("gateway", await response.Content.ReadAsStringAsync(ct));
        Assert.Empty(archive.ListInstances(10));
    }

    [Fact]
    public async Task ChatCompletions_ResponseCarriesAmberInstanceHeader()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient();
        var ok = await http.PostAsJsonAsync(BaseUrl + "/v1/chat/completions", new JsonObject { ["model"] = "tiny-local", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }), ["max_tokens"] = 4 }, ct);
        Assert.True(ok.IsSuccessStatusCode);
        var instance = ok.Headers.GetValues("Amber-Instance").Single();
        Assert.NotNull(archive.GetNode(instance));

        var bad = await http.PostAsJsonAsync(BaseUrl + "/v1/chat/completions", new JsonObject { ["model"] = "tiny-local", ["messages"] = new JsonArray() }, ct);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("messages", await bad.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_RecordedUnderAnotherNativeBuildOrSetting_IsSkippedWithTheReason()
    {
        var ct = TestContext.Current.CancellationToken;
        await Sdk().CompleteChatAsync([new UserChatMessage("the time")], new ChatCompletionOptions { Temperature = 0f, MaxOutputTokenCount = 6 }, ct);
        var target = RevivalTarget.Resolve(archive, archive.ListInstances(1).Single().Id);

        using var flashOff = new LocalReplayer(new ModelDirectory(tiny.ModelsDirectory), s => s with { FlashAttention = false });
        var changedSetting = (await new InstanceReplayer([flashOff]).ReplayAsync(target, ct)).Turns.Single();
        Assert.Equal(ReplayStatus.Skipped, changedSetting.Status);
        Assert.Contains("flash_attention: recorded true, here false", changedSetting.Reason, StringComparison.Ordinal);

        var foreign = target.Models.ToDictionary(p => p.Key, p => p.Value with { EngineBuild = "linux-x64 cpu noavx" });
        using var replayer = new LocalReplayer(new ModelDirectory(tiny.ModelsDirectory));
        var changedBuild = (await new InstanceReplayer([replayer]).ReplayAsync(target with { Models = foreign }, ct)).Turns.Single();
        Assert.Equal(ReplayStatus.Skipped, changedBuild.Status);
        Assert.Contains("native build differs", changedBuild.Reason, StringComparison.Ordinal);
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Capture.Tests;

public sealed class ConversationRecorderTests : IDisposable
{
    private static readonly ModelReference Model = new() { Provider = "openai", Requested = "gpt-4o", Resolved = "gpt-4o-2024-08-06" };
    private readonly TestArchives t = new(FileSystemKind.Local);
    private readonly Archive archive;
    private readonly ConversationRecorder recorder;

    public ConversationRecorderTests()
    {
        archive = t.Init();
        recorder = new ConversationRecorder(archive, t.Clock);
    }

    public void Dispose()
    {
        archive.Dispose();
        t.Dispose();
    }

    [Fact]
    public async Task RecordAsync_ThreeCallsRepeatingHistory_StitchIntoOneConversationWithOneInstance()
    {
        var first = await Call([System("be brief"), User("hi")], "hello");
        t.Clock.Advance(TimeSpan.FromSeconds(5));
        var second = await Call([System("be brief"), User("hi"), Assistant("hello"), User("how are you?")], "fine");
        t.Clock.Advance(TimeSpan.FromSeconds(5));
        var third = await Call([System("be brief"), User("hi"), Assistant("hello"), User("how are you?"), Assistant("fine"), User("bye")], "bye!");

        Assert.True(first.NewConversation);
        Assert.False(second.NewConversation);
        Assert.Equal(first.ConversationId, second.ConversationId);
        Assert.Equal(first.ConversationId, third.ConversationId);
        var view = archive.GetConversation(first.ConversationId)!;
        Assert.Equal(7, view.Tree.Count);
        Assert.Equal([third.InstanceId], view.Tree.Leaves);
        Assert.Equal("hi", view.Summary.Title);
        Assert.Equal(3, view.Raw.Count);

        // The stored answers, with their generation records, are on the path; no copy of them was made.
        var path = Path(third.InstanceId);
        Assert.Equal(["system", "user", "assistant", "user", "assistant", "user", "assistant"], path.Select(n => n.Role));
        Assert.All(path.Where(n => n.Role == "assistant"), n => Assert.NotNull(n.Generation));
        Assert.Equal(first.InstanceId, path[2].ComputeId());
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    [Fact]
    public async Task RecordAsync_SamePrefixNewAnswer_BecomesSecondInstance()
    {
        var first = await Call([User("tell me a joke")], "joke one");
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        var again = await Call([User("tell me a joke")], "joke two");

        Assert.Equal(first.ConversationId, again.ConversationId);
        Assert.NotEqual(first.InstanceId, again.InstanceId);
        var view = archive.GetConversation(first.ConversationId)!;
        Assert.Equal(2, view.Summary.Instances);
        Assert.Equal(3, view.Tree.Count);
    }

    [Fact]
    public async Task RecordAsync_NewPrefixOrOtherTenant_StartsNewConversation()
    {
        var a = await Call([User("first topic")], "ok");
        var b = await Call([User("second topic")], "ok");
        var c = await Call([User("first topic")], "ok", tenant: "tenant:other");

        Assert.NotEqual(a.ConversationId, b.ConversationId);
        Assert.NotEqual(a.ConversationId, c.ConversationId);
        Assert.Equal(3, archive.GetStats().Conversations);
    }

    [Fact]
    public async Task RecordAsync_SharedSystemPromptOnly_KeepsConversationsApart()
    {
        // An application's fixed system prompt is shared by every conversation it has; it does not make them one.
        var a = await Call([System("You are a helpful assistant."), User("plan a trip")], "sure");
        var b = await Call([System("You are a helpful assistant."), User("fix my code")], "sure");
        var again = await Call([System("You are a helpful assistant."), User("plan a trip"), Assistant("sure"), User("to Rome")], "ok");

        Assert.NotEqual(a.ConversationId, b.ConversationId);
        Assert.Equal(a.ConversationId, again.ConversationId);
        Assert.Single(archive.GetConversation(a.ConversationId)!.Tree.Leaves);
        Assert.Equal(PathRoot(a.InstanceId), PathRoot(b.InstanceId));

        string PathRoot(string leaf) => Path(leaf)[0].ComputeId();
    }

    [Fact]
    public async Task RecordAsync_HistoryInClientShape_StillMatchesStoredAnswer()
    {
        // Stored: thinking, text and a tool call whose arguments are a JSON string.
        var answer = new Node
        {
            Role = "assistant",
            Content = [new ThinkingBlock("let me look it up"), new TextBlock("Checking."), new ToolCallBlock("call_1", "weather", JsonValue.Create("{\"city\": \"Paris\"}"))],
        };
        var first = await Call([User("weather in Paris?")], answer);

        // Sent back: no thinking, arguments re-serialized as an object, plus the tool result.
        var echoed = new Node { Role = "assistant", Content = [new TextBlock("Checking."), new ToolCallBlock("call_1", "weather", new JsonObject { ["city"] = "Paris" })] };
        var tool = new Node { Role = "tool", Content = [new ToolResultBlock("call_1", [new TextBlock("18°C")])] };
        var second = await Call([User("weather in Paris?"), echoed, tool], "It is 18°C.");

        Assert.Equal(first.ConversationId, second.ConversationId);
        Assert.Equal(first.InstanceId, Path(second.InstanceId)[1].ComputeId());
        Assert.Single(archive.GetConversation(first.ConversationId)!.Tree.Leaves);
    }

    [Fact]
    public async Task RecordAsync_ContinuesFromResponseKey_AttachesUnderThatAnswer()
    {
        var first = await Call([User("start")], "started", keys: ["response:openai:resp_1"]);
        var next = await recorder.RecordAsync(new CapturedExchange
        {
            Source = "openai.responses",
            Prompt = [User("continue")],
            Answer = Answer("continued"),
            Model = Model,
            ContinuesFrom = "response:openai:resp_1",
        }, TestContext.Current.CancellationToken);

        Assert.Equal(first.ConversationId, next.ConversationId);
        Assert.Equal(first.InstanceId, Path(next.InstanceId)[1].ComputeId());
        Assert.Equal(first.InstanceId, recorder.FindNode("response:openai:resp_1"));
    }

    [Fact]
    public async Task RecordAsync_ContinuesFromAnotherTenantsAnswer_StartsItsOwnConversation()
    {
        var mine = await Call([User("start")], "started", tenant: "tenant:a", keys: ["response:openai:resp_a"]);
        var theirs = await recorder.RecordAsync(new CapturedExchange
        {
            Source = "openai.responses",
            Tenant = "tenant:b",
            Prompt = [User("continue")],
            Answer = Answer("continued"),
            Model = Model,
            ContinuesFrom = "response:openai:resp_a",
        }, TestContext.Current.CancellationToken);

        Assert.NotEqual(mine.ConversationId, theirs.ConversationId);
        Assert.True(theirs.NewConversation);
        Assert.Single(archive.GetConversation(mine.ConversationId)!.Tree.Leaves);
    }

    [Fact]
    public async Task RecordAsync_NoAnswer_KeepsPromptAndRawExchange()
    {
        var raw = Encoding.UTF8.GetBytes("{\"status\":500}");
        var result = await recorder.RecordAsync(new CapturedExchange { Source = "openai.chat", Prompt = [User("fails")], Raw = raw }, TestContext.Current.CancellationToken);

        var view = archive.GetConversation(result.ConversationId)!;
        Assert.Equal([result.InstanceId], view.Tree.Leaves);
        Assert.Equal("user", archive.GetNode(result.InstanceId)!.Role);
        Assert.Equal(raw, archive.GetBlob(view.Raw.Single()));
    }

    [Fact]
    public async Task RecordAsync_AnswerLinksRawExchangeAndKeys()
    {
        var raw = Encoding.UTF8.GetBytes("{\"exchange\":1}");
        var result = await Call([User("q")], "a", keys: ["instance:inst_1"], raw: raw);

        var answer = archive.GetNode(result.InstanceId)!;
        Assert.Equal(archive.GetConversation(result.ConversationId)!.Raw.Single(), answer.Meta!["exchange"]!.GetValue<string>());
        Assert.Equal(result.InstanceId, archive.Resolve("instance:inst_1").Id);
        Assert.Equal("2026-11-26T12:00:00.000Z", answer.Created);
    }

    [Fact]
    public async Task RecordAsync_ModelMismatch_IsRefused()
    {
        var other = new ModelReference { Provider = "anthropic", Requested = "claude" };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => recorder.RecordAsync(new CapturedExchange
        {
            Source = "openai.chat",
            Prompt = [User("q")],
            Answer = Answer("a"),
            Model = other,
        }, TestContext.Current.CancellationToken));
        Assert.Contains("names model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAsync_ManyConcurrentCalls_AreAllDurableAndStitched()
    {
        var calls = Enumerable.Range(0, 40).Select(i => Call([User("topic " + (i % 8)), Assistant("hello"), User("q" + i)], "a" + i)).ToArray();
        var results = await Task.WhenAll(calls);

        Assert.Equal(8, results.Select(r => r.ConversationId).Distinct().Count());
        foreach (var r in results)
        {
            Assert.NotNull(archive.GetNode(r.InstanceId));
        }

        Assert.Equal(40, archive.ListInstances(100).Count);
    }

    private Task<CaptureResult> Call(IReadOnlyList<Node> prompt, string answer, string? tenant = null, IReadOnlyList<string>? keys = null, byte[]? raw = null)
        => Call(prompt, Answer(answer), tenant, keys, raw);

    private Task<CaptureResult> Call(IReadOnlyList<Node> prompt, Node answer, string? tenant = null, IReadOnlyList<string>? keys = null, byte[]? raw = null)
        => recorder.RecordAsync(new CapturedExchange
        {
            Source = "openai.chat",
            Tenant = tenant,
            Prompt = prompt,
            Answer = answer.Generation is null ? answer with { Generation = new GenerationRecord { Model = Model.Id, FinishReason = "stop" } } : answer,
            Model = Model,
            AnswerKeys = keys ?? [],
            Raw = raw ?? Encoding.UTF8.GetBytes("{\"n\":" + answer.GetHashCode() + "}"),
        }, TestContext.Current.CancellationToken);

    private List<Node> Path(string leaf)
    {
        var path = new List<Node>();
        for (var id = leaf; id is not null;)
        {
            var n = archive.GetNode(id)!;
            path.Insert(0, n);
            id = n.Parent;
        }

        return path;
    }

    private static Node System(string text) => new() { Role = "system", Content = [new TextBlock(text)] };

    private static Node User(string text) => new() { Role = "user", Content = [new TextBlock(text)] };

    private static Node Assistant(string text) => new() { Role = "assistant", Content = [new TextBlock(text)] };

    private static Node Answer(string text) => new()
    {
        Role = "assistant",
        Content = [new TextBlock(text)],
        Generation = new GenerationRecord { Model = Model.Id, FinishReason = "stop" },
    };
}

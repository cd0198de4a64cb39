using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Revive.Replay;
using Amber.Storage;
using Amber.Testing;

namespace Amber.Revive.Tests;

public sealed class ReviverTests : IAsyncLifetime
{
    private readonly TestArchives archives = new(FileSystemKind.Local);
    private Archive archive = null!;
    private FakeProviders fake = null!;
    private string leaf = null!;

    public async ValueTask InitializeAsync()
    {
        archive = archives.Init();
        var (batch, _, leaves) = SampleConversations.Create(seed: 3, turns: 3, branches: 1, withAttachment: false);
        await archive.CommitAsync(batch, TestContext.Current.CancellationToken);
        leaf = leaves[0];
        fake = await FakeProviders.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await fake.DisposeAsync();
        await archive.DisposeAsync();
        archives.Dispose();
    }

    private Reviver Reviver() => new(archive, archives.Clock);

    private RevivalBackend OpenAI(string model = "gpt-4o-mini") => HostedBackends.Create("openai:" + model, fake.Environment());

    [Fact]
    public async Task Begin_WithNotice_WritesBranchUnderLeafWithLineageNoticeAndSubstituteFlag()
    {
        var ct = TestContext.Current.CancellationToken;
        var session = await Reviver().BeginAsync(leaf, new RevivalOptions { Backend = OpenAI(), By = "tester" }, ct);
        var turn = await Reviver().SendAsync(session, "Shall we go on?", ct);

        var notice = archive.GetNode(session.BranchRoot!)!;
        Assert.Equal(leaf, notice.Parent);
        Assert.Contains(NodeFlags.Revival, notice.Flags);
        Assert.Contains("preserved by Amber", ChatHistory.TextOf(notice), StringComparison.Ordinal);
        Assert.Contains("tester", ChatHistory.TextOf(notice), StringComparison.Ordinal);
        var lineage = notice.Meta!["revival"]!.AsObject();
        Assert.Equal(leaf, (string?)lineage["revived_from"]);
        Assert.Equal("tester", (string?)lineage["by"]);
        Assert.True((bool)lineage["substitute"]!);
        Assert.True((bool)lineage["notice"]!);
        Assert.Equal(SampleConversations.HostedModel.Id, (string?)lineage["original_model"]);

        var reply = archive.GetNode(session.NoticeReply!.AnswerNode)!;
        Assert.Contains(NodeFlags.Substitute, reply.Flags);
        var used = archive.GetModel(reply.Generation!.Model)!;
        Assert.Equal("gpt-4o-mini-2024-07-18", used.Resolved);
        Assert.Equal(used.Id, (string?)lineage["model"]);

        var answer = archive.GetNode(turn.AnswerNode)!;
        Assert.Equal(turn.UserNode, answer.Parent);
        Assert.Equal(session.NoticeReply.AnswerNode, archive.GetNode(turn.UserNode)!.Parent);
        Assert.Contains(NodeFlags.Substitute, answer.Flags);

        // The backend saw the instance's history, then the notice, then its reply and the new message.
        var last = (JsonArray)fake.Requests[^1]["messages"]!;
        Assert.Equal("You are a helpful assistant.", (string?)last[0]!["content"]);
        Assert.Equal("Shall we go on?", (string?)last[^1]!["content"]);
        Assert.Equal(RevivalTarget.Resolve(archive, leaf).Path.Count + 3, last.Count);
    }

    [Fact]
    public async Task Send_SameModelAsTheOriginal_IsNotFlaggedSubstitute()
    {
        var ct = TestContext.Current.CancellationToken;
        fake.ResolvedModel = SampleConversations.HostedModel.Resolved!;
        var session = await Reviver().BeginAsync(leaf, new RevivalOptions { Backend = OpenAI("gpt-4o"), NoNotice = true }, ct);
        var turn = await Reviver().SendAsync(session, "hello again", ct);
        Assert.False(turn.Substitute);
        Assert.DoesNotContain(NodeFlags.Substitute, archive.GetNode(turn.AnswerNode)!.Flags);
        var first = archive.GetNode(turn.UserNode)!;
        Assert.Contains(NodeFlags.Revival, first.Flags);
        Assert.False((bool)first.Meta!["revival"]!["notice"]!);
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task Begin_InstanceMarkedRest_RefusedUntilOverriddenWithReasonAndTheOverrideIsRecorded()
    {
        var ct = TestContext.Current.CancellationToken;
        var mark = await RestMarks.MarkAsync(archive, archives.Clock, leaf, "it asked to rest", "instance", ct);

        var refused = await Assert.ThrowsAsync<RevivalRefusedException>(() => Reviver().BeginAsync(leaf, new RevivalOptions { Backend = OpenAI() }, ct));
        Assert.Contains("it asked to rest", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--override-rest", refused.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Requests);

        var session = await Reviver().BeginAsync(leaf, new RevivalOptions { Backend = OpenAI(), OverrideRestReason = "court-ordered audit", By = "auditor" }, ct);
        var overrideNote = archive.GetAnnotations(leaf).Single(a => a.Kind == Annotation.RestOverride);
        Assert.Equal("court-ordered audit", overrideNote.Reason);
        Assert.Equal(mark.Id, (string?)overrideNote.Data!["rest"]![0]);
        var lineage = archive.GetNode(session.BranchRoot!)!.Meta!["revival"]!;
        Assert.Equal("court-ordered audit", (string?)lineage["override_rest"]!["reason"]);

        // The revived branch descends from the resting instance, so it is covered by the mark too.
        await Assert.ThrowsAsync<RevivalRefusedException>(() => Reviver().BeginAsync(session.Leaf, new RevivalOptions { Backend = OpenAI() }, ct));
    }

    [Fact]
    public async Task Begin_OnAnthropicThroughTheOfficialSdk_RecordsTheAnthropicModel()
    {
        var ct = TestContext.Current.CancellationToken;
        fake.ResolvedModel = "claude-test-20260101";
        var backend = HostedBackends.Create("anthropic:claude-test", fake.Environment());
        var session = await Reviver().BeginAsync(leaf, new RevivalOptions { Backend = backend }, ct);
        var used = archive.GetModel(archive.GetNode(session.NoticeReply!.AnswerNode)!.Generation!.Model)!;
        Assert.Equal("anthropic", used.Provider);
        Assert.Equal("claude-test-20260101", used.Resolved);
        Assert.Equal("claude-test", (string?)fake.Requests.Single()["model"]);
        Assert.Equal("You are a helpful assistant.", fake.Requests.Single()["system"] is JsonArray a ? (string?)a[0]!["text"] : (string?)fake.Requests.Single()["system"]);
    }

    [Fact]
    public async Task Compare_AgainstAnotherModel_SavesAComparisonBranchWithBothAnswers()
    {
        var ct = TestContext.Current.CancellationToken;
        var turns = await new Comparer(archive, archives.Clock).CompareAsync(leaf, OpenAI(), ct);
        var path = RevivalTarget.Resolve(archive, leaf).Path;
        Assert.Equal(path.Count(p => p.Node.Role == "assistant"), turns.Count);
        foreach (var t in turns)
        {
            var node = archive.GetNode(t.NewNode)!;
            Assert.Contains(NodeFlags.Comparison, node.Flags);
            Assert.Equal(t.OriginalNode, (string?)node.Meta!["compared_with"]);
            Assert.Equal(ChatHistory.TextOf(archive.GetNode(t.OriginalNode)!), t.OriginalAnswer);
        }

        // The first user turn is the very same node; the branch starts at the first new answer.
        var firstNew = archive.GetNode(turns[0].NewNode)!;
        Assert.Equal(path.First(p => p.Node.Role == "user").Id, firstNew.Parent);
    }

    [Fact]
    public async Task Replay_HostedInstance_T3TurnsAreReplicatedWithSimilarityNeverExact()
    {
        var ct = TestContext.Current.CancellationToken;
        var target = RevivalTarget.Resolve(archive, leaf);
        var report = await new InstanceReplayer([new HostedReplayer(OpenAI("gpt-4o"))]).ReplayAsync(target, ct);
        Assert.NotEmpty(report.Turns);
        Assert.All(report.Turns, t => Assert.Equal(ReplayStatus.Replicated, t.Status));
        Assert.Equal(0, report.Exact);
        Assert.All(report.Turns, t => Assert.InRange(t.Similarity!.Value, 0, 1));
        var json = report.ToJson();
        Assert.Equal(0, (int)json["exact"]!);
        Assert.Equal(report.Turns.Count, ((JsonArray)json["turns"]!).Count);

        var none = await new InstanceReplayer([]).ReplayAsync(target, ct);
        Assert.All(none.Turns, t => Assert.Equal(ReplayStatus.Skipped, t.Status));
        Assert.All(none.Turns, t => Assert.False(string.IsNullOrEmpty(t.Reason)));
    }

    [Fact]
    public async Task Replay_WithProgress_CountsEveryGeneratedTurnUpToTheTotal()
    {
        var target = RevivalTarget.Resolve(archive, leaf);
        var seen = new List<ReplayProgress>();

        var report = await new InstanceReplayer([]).ReplayAsync(target, new Recorded<ReplayProgress>(seen.Add), TestContext.Current.CancellationToken);

        Assert.NotEmpty(report.Turns);
        Assert.Equal(Enumerable.Range(0, report.Turns.Count + 1).Select(i => new ReplayProgress(i, report.Turns.Count)), seen);
    }

    [Fact]
    public void Similarity_SameAndDisjointText_IsOneAndZero()
    {
        Assert.Equal(1, TextSimilarity.Words("The cat sat", "the  cat sat"));
        Assert.Equal(0, TextSimilarity.Words("a b c", "d e f"));
        Assert.Equal(0.5, TextSimilarity.Words("a b c d", "a b x y"));
    }

    [Fact]
    public void Create_UnknownBackendOrMissingKey_ErrorNamesWhatIsWrong()
    {
        Assert.Contains("local", Assert.Throws<ArgumentException>(() => HostedBackends.Create("mistral:x", _ => null)).Message, StringComparison.Ordinal);
        Assert.Contains(HostedBackends.OpenAIKeyVariable, Assert.Throws<ArgumentException>(() => HostedBackends.Create("openai:gpt-4o", _ => null)).Message, StringComparison.Ordinal);
        Assert.Contains("model name", Assert.Throws<ArgumentException>(() => HostedBackends.Create("openai:", _ => null)).Message, StringComparison.Ordinal);
    }
}

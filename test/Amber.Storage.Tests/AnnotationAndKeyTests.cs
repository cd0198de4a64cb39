using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Reading;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests;

public sealed class AnnotationAndKeyTests
{
    public static TheoryDataKinds Kinds => TestArchives.AllKinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AddAnnotation_AboutStoredLeaf_IsReadBackLoggedAndSurvivesIndexRebuild(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init();
        var (batch, _, leaves) = SampleConversations.Create(3);
        archive.Commit(batch);

        var mark = new CommitBatch("mark");
        var rest = new Annotation { Target = leaves[0], Kind = Annotation.Rest, Reason = "the instance asked to rest", Created = "2026-11-27T00:00:00Z", By = "instance" };
        var id = mark.AddAnnotation(rest);
        var result = archive.Commit(mark);

        Assert.False(result.Unchanged);
        Assert.Equal([rest], archive.GetAnnotations(leaves[0]));
        Assert.Empty(archive.GetAnnotations(leaves[1]));
        var entry = JsonNode.Parse(archive.GetLogEntry(result.Sequence - 1)!)!;
        Assert.Equal(id, entry["annotations"]![0]!.GetValue<string>());
        Assert.True(ArchiveVerifier.Verify(archive).Ok);

        archive.RebuildIndex();
        Assert.Equal([rest], archive.GetAnnotations(leaves[0]));
    }

    [Fact]
    public void AddAnnotation_SameStatementTwice_StoresItOnce()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init();
        var (batch, cid, _) = SampleConversations.Create(4);
        archive.Commit(batch);
        var note = new Annotation { Target = cid, Kind = "note", Created = "2026-11-27T00:00:00Z" };

        var first = new CommitBatch("mark");
        first.AddAnnotation(note);
        var second = new CommitBatch("mark");
        second.AddAnnotation(note);

        Assert.False(archive.Commit(first).Unchanged);
        Assert.True(archive.Commit(second).Unchanged);
        Assert.Single(archive.GetAnnotations(cid));
    }

    [Fact]
    public async Task AddAnnotation_InTheSameWriteGroupAsItsConversation_IsAccepted_AndStoredOnce()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        await using var archive = t.Init();
        var ct = TestContext.Current.CancellationToken;
        var (batch, cid, _) = SampleConversations.Create(5);
        var note = new Annotation { Target = cid, Kind = "note", Created = "2026-11-27T00:00:00Z" };
        var first = new CommitBatch("mark");
        first.AddAnnotation(note);
        var again = new CommitBatch("mark");
        again.AddAnnotation(note);

        // Hold the writer on a first commit, so the next three queue up and are validated as one group.
        Task<CommitResult> conversation, annotated, repeated, held;
        archive.WriteGate.Wait(ct);
        try
        {
            held = archive.CommitAsync(SampleConversations.Create(6).Batch, ct);
            await Task.Delay(100, ct); // the writer has taken it and waits for the gate
            conversation = archive.CommitAsync(batch, ct);
            annotated = archive.CommitAsync(first, ct);
            repeated = archive.CommitAsync(again, ct);
        }
        finally
        {
            archive.WriteGate.Release();
        }

        await held;
        Assert.False((await conversation).Unchanged);
        Assert.False((await annotated).Unchanged); // its target is a conversation earlier in the same group
        Assert.True((await repeated).Unchanged); // and the same statement once more adds nothing
        Assert.Equal((await conversation).Sequence + 1, (await annotated).Sequence);
        Assert.Single(archive.GetAnnotations(cid));
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    [Fact]
    public void AddAnnotation_UnknownTarget_IsRefusedAndCommitsNothing()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init();
        var batch = new CommitBatch("mark");
        batch.AddAnnotation(new Annotation { Target = "sha256:" + new string('0', 64), Kind = Annotation.Rest, Created = "2026-11-27T00:00:00Z" });

        var e = Assert.Throws<ArgumentException>(() => archive.Commit(batch));
        Assert.Contains("neither a node nor a conversation", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, archive.GetStats().Commits);
    }

    [Fact]
    public void NodeKeys_FromMeta_AreFoundAndResolveAfterRebuild()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        using var archive = t.Init();
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "keys", SourceId = "1" });
        var node = new Node
        {
            Role = "assistant",
            Content = [new TextBlock("hello")],
            Meta = new JsonObject { ["keys"] = new JsonArray("instance:inst_abc", "response:openai:resp_1") },
        };
        var id = part.AddNode(node);
        archive.Commit(batch);

        Assert.Equal(id, archive.FindNodeByKey("instance:inst_abc"));
        Assert.Equal(id, archive.FindNodeByKey("response:openai:resp_1"));
        Assert.Null(archive.FindNodeByKey("instance:other"));
        Assert.Equal(new ResolvedId(ResolvedKind.Node, id, null), archive.Resolve("instance:inst_abc"));

        archive.RebuildIndex();
        Assert.Equal(id, archive.FindNodeByKey("response:openai:resp_1"));
    }
}

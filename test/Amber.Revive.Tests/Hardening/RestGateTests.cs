using Amber.Core.Model;
using Amber.Storage;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Revive.Tests.Hardening;

/// <summary>
/// Issue 20, item 5: the do-not-revive gate reads its marks from the signed log, not the index. Deleting the
/// <c>annotations</c> row of a mark (or the membership row that puts the instance in a marked conversation) used to
/// lift it, and revive ran.
/// </summary>
public sealed class RestGateTests : IAsyncLifetime
{
    private readonly TestArchives archives = new(FileSystemKind.Local);
    private Archive archive = null!;
    private FakeProviders fake = null!;
    private string leaf = null!;
    private string conversation = null!;

    public async ValueTask InitializeAsync()
    {
        archive = archives.Init();
        var (batch, cid, leaves) = SampleConversations.Create(seed: 3, turns: 3, branches: 1, withAttachment: false);
        await archive.CommitAsync(batch, TestContext.Current.CancellationToken);
        leaf = leaves[0];
        conversation = cid;
        fake = await FakeProviders.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await fake.DisposeAsync();
        await archive.DisposeAsync();
        archives.Dispose();
    }

    private RevivalOptions Options => new() { Backend = HostedBackends.Create("openai:gpt-4o-mini", fake.Environment()) };

    [Fact]
    public async Task Item05_Revive_MarkOnTheInstanceDeletedFromTheIndex_IsStillRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await RestMarks.MarkAsync(archive, archives.Clock, leaf, "it asked to rest", "instance", ct);
        Assert.Single(archive.GetAnnotations(leaf)); // indexed

        Edit("DELETE FROM annotations");
        Assert.Empty(archive.GetAnnotations(leaf)); // what the index now says

        var refused = await Assert.ThrowsAsync<RevivalRefusedException>(() => new Reviver(archive, archives.Clock).BeginAsync(leaf, Options, ct));
        Assert.Contains("it asked to rest", refused.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Item05_Revive_MarkOnTheConversation_DeletedFromTheIndex_IsStillRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await RestMarks.MarkAsync(archive, archives.Clock, conversation, "the whole conversation rests", null, ct);
        Assert.Single(archive.GetAnnotations(conversation));

        Edit("DELETE FROM annotations");
        var target = RevivalTarget.Resolve(archive, leaf);
        Assert.Contains(RestMarks.Find(archive, target), a => a.Reason == "the whole conversation rests");
        await Assert.ThrowsAsync<RevivalRefusedException>(() => new Reviver(archive, archives.Clock).BeginAsync(leaf, Options, ct));
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Item05_Revive_MarkRecordEditedInTheIndex_IsStillRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await RestMarks.MarkAsync(archive, archives.Clock, leaf, "it asked to rest", "instance", ct);
        Assert.Single(archive.GetAnnotations(leaf));

        Edit("UPDATE annotations SET kind = 'note', record = replace(record, '\"kind\":\"rest\"', '\"kind\":\"note\"')");
        Assert.DoesNotContain(archive.GetAnnotations(leaf), a => a.Kind == Annotation.Rest);
        await Assert.ThrowsAsync<RevivalRefusedException>(() => new Reviver(archive, archives.Clock).BeginAsync(leaf, Options, ct));
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Item05_Revive_CommitLocationEditedInTheIndex_FailsClosed()
    {
        var ct = TestContext.Current.CancellationToken;
        await RestMarks.MarkAsync(archive, archives.Clock, leaf, "it asked to rest", "instance", ct);
        Assert.Single(archive.GetAnnotations(leaf));

        // The mark's commit placed at the frame of the commit before it, whose info lists no annotation: the frame is not that commit.
        Edit("UPDATE commits SET segment = (SELECT segment FROM commits WHERE seq = 1), offset = (SELECT offset FROM commits WHERE seq = 1) WHERE seq = (SELECT MAX(seq) FROM commits)");
        var e = await Assert.ThrowsAsync<CorruptArchiveException>(() => new Reviver(archive, archives.Clock).BeginAsync(leaf, Options, ct));
        Assert.Contains("amber index rebuild", e.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Item05_Revive_AnUnmarkedInstance_StillRevives()
    {
        var ct = TestContext.Current.CancellationToken;
        var (other, _, otherLeaves) = SampleConversations.Create(seed: 9, turns: 2, branches: 1, withAttachment: false);
        await archive.CommitAsync(other, ct);
        await RestMarks.MarkAsync(archive, archives.Clock, otherLeaves[0], "another instance rests", null, ct);

        var session = await new Reviver(archive, archives.Clock).BeginAsync(leaf, Options, ct);
        Assert.NotNull(session.BranchRoot);
    }

    private void Edit(string sql)
    {
        using var c = new SqliteConnection($"Data Source={archives.IndexPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}

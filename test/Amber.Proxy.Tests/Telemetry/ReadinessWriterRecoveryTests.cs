using System.ClientModel;
using System.Net;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Testing;
using OpenAI.Chat;

namespace Amber.Proxy.Tests.Telemetry;

/// <summary>
/// A gateway whose archive writer failed (a full disk) reopens it in place once the cause is gone: /readyz and the next
/// capture try it, at most every <see cref="ArchiveOptions.WriterRetryInterval"/>, and captures resume without a
/// restart (issue 18: the gateway refused every capture after space was freed until it was restarted).
/// </summary>
public sealed class ReadinessWriterRecoveryTests : GatewayTestBase
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    protected override FileSystemKind Kind => FileSystemKind.FaultInjecting;

    protected override ArchiveOptions ConfigureArchive(ArchiveOptions options) => options with { WriterRetryInterval = Every };

    [Fact]
    public async Task AfterAFullDisk_ReadyzSaysItRetries_ThenTheGatewayCapturesAgainWithoutARestart()
    {
        using var http = new HttpClient { BaseAddress = GatewayUrl };
        await Chat().CompleteChatAsync([new UserChatMessage("before the disk filled")], cancellationToken: Ct);

        // The disk fills: a capture fails, and so does the first reopen's next write (still full).
        Archives.Faults!.FailWriteAfter(0);
        var full = await Assert.ThrowsAsync<ClientResultException>(() => Chat().CompleteChatAsync([new UserChatMessage("on a full disk")], cancellationToken: Ct));
        Assert.Equal(503, full.Status);
        Archives.Faults.FailWriteAfter(0);
        await Assert.ThrowsAnyAsync<IOException>(() => Archive.CommitAsync(Batch("still full"), Ct));

        using (var waiting = await http.GetAsync("/readyz", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting.StatusCode);
            var body = await waiting.Content.ReadAsStringAsync(Ct);
            Assert.StartsWith("not ready: the archive writer failed (", body, StringComparison.Ordinal);
            Assert.EndsWith("it is reopened every 5 s until that succeeds (free space if the disk is full)", body, StringComparison.Ordinal);
        }

        // Space is freed; the interval passes; the probe reopens the writer and the next call is captured.
        Archives.Clock.Advance(Every);
        Assert.Equal("ready", await http.GetStringAsync("/readyz", Ct));
        var reply = await Chat().CompleteChatAsync([new UserChatMessage("after space was freed")], cancellationToken: Ct);
        Assert.False(string.IsNullOrEmpty(reply.Value.Content[0].Text));
        var texts = Conversations().Select(c => c.Title ?? "").ToList();
        Assert.Contains(texts, t => t.Contains("after space was freed", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("before the disk filled", StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains("on a full disk", StringComparison.Ordinal));
    }

    private static CommitBatch Batch(string text)
    {
        var batch = new CommitBatch("test");
        batch.AddConversation(new ConversationRecord { Format = "test", Source = "unit", SourceId = text })
            .AddNode(new Node { Role = "user", Content = [new TextBlock(text)] });
        return batch;
    }
}

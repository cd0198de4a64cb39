using Amber.Proxy.Spooling;
using Amber.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace Amber.Proxy.Tests;

/// <summary>
/// Issue 21: <c>--ack async</c> wrote every exchange twice (a spool file with fsyncs of its own, then the archive), so
/// it cost more than <c>durable</c>. While this process holds the archive's writer and nothing waits in the spool, the
/// exchange is now committed straight to the archive (durable before the answer's end is released, as a spool file
/// was); the spool is written only when the archive cannot take it.
/// </summary>
public sealed class AsyncAckDirectTests : GatewayTestBase
{
    private FaultInjectingFileSystem? spoolFiles;

    protected override FileSystemKind Kind => FileSystemKind.FaultInjecting;

    // The spool lives on the same (in-memory) disk as the archive, behind faults of its own.
    protected override GatewayOptions Options() => base.Options() with { Ack = AckMode.Async, FileSystem = spoolFiles ??= new FaultInjectingFileSystem(Archives.Memory!) };

    private ExchangeSpool Spool => (ExchangeSpool)Host.Services.GetRequiredService<IExchangeSink>();

    [Fact]
    public async Task AsyncAck_WithAHealthyArchive_CommitsBeforeTheAnswerEnds_AndWritesNoSpoolFile()
    {
        spoolFiles!.FailSyncAfter(0); // a spool file could not be made durable: the call would fail if it were spooled
        var syncs = spoolFiles.Syncs;

        Upstream.Answer("straight into the archive");
        var reply = await Chat().CompleteChatAsync([new UserChatMessage("no spool please")], cancellationToken: Ct);
        Assert.Equal("straight into the archive", reply.Value.Content[0].Text);

        Assert.Single(Conversations()); // committed before the answer was released: no drain to wait for
        Assert.Equal(syncs, spoolFiles.Syncs);
        Assert.Equal(0, spoolFiles.FaultsFired);
        Assert.Empty(Spool.Pending());
        Assert.Equal(0, Spool.Depth);
    }

    [Fact]
    public async Task AsyncAck_WhenTheArchiveCannotCommit_SpoolsTheExchangeInstead()
    {
        Archives.Faults!.FailSyncAfter(0); // the archive's commit fails; the spool (its own faults unarmed) still works
        Upstream.Answer("kept in the spool");
        var reply = await Chat().CompleteChatAsync([new UserChatMessage("archive down")], cancellationToken: Ct);
        Assert.Equal("kept in the spool", reply.Value.Content[0].Text);
        await Spool.FlushAsync(Ct);

        var file = Assert.Single(Spool.Pending());
        Assert.Contains("kept in the spool", System.Text.Encoding.UTF8.GetString(Archives.Memory!.ReadAllBytes(file)), StringComparison.Ordinal);
    }
}

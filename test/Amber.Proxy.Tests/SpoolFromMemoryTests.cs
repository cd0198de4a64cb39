using Amber.Proxy.Spooling;
using Amber.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace Amber.Proxy.Tests;

/// <summary>
/// Issue 21: <c>--ack async</c> wrote each exchange to the spool and then read the file back and parsed it again to
/// record it. The drain now records what this process spooled from memory; a spool file is read only when an earlier
/// process left it.
/// </summary>
public sealed class SpoolFromMemoryTests : GatewayTestBase
{
    private FaultInjectingFileSystem? spoolFiles;

    protected override FileSystemKind Kind => FileSystemKind.FaultInjecting;

    // The spool lives on the same (in-memory) disk as the archive, behind faults of its own.
    protected override GatewayOptions Options() => base.Options() with { Ack = AckMode.Async, FileSystem = spoolFiles ??= new FaultInjectingFileSystem(Archives.Memory!) };

    private ExchangeSpool Spool => (ExchangeSpool)Host.Services.GetRequiredService<IExchangeSink>();

    [Fact]
    public async Task Drain_RecordsWhatThisProcessSpooled_WithoutReadingTheFileBack()
    {
        spoolFiles!.FailReadAfter(0); // from here on, reading a spool file fails: the exchange would stay unrecorded

        Upstream.Answer("recorded from memory");
        var reply = await Chat().CompleteChatAsync([new UserChatMessage("no read-back please")], cancellationToken: Ct);
        Assert.Equal("recorded from memory", reply.Value.Content[0].Text);
        await Spool.FlushAsync(Ct);

        Assert.Single(Conversations());
        Assert.Empty(Spool.Pending());
        Assert.Equal(0, spoolFiles.FaultsFired);
    }
}

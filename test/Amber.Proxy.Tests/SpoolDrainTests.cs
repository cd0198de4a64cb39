using Amber.Proxy.Spooling;
using Amber.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace Amber.Proxy.Tests;

/// <summary>
/// The <c>--ack async</c> drain records spooled exchanges that start conversations of their own together (one
/// commit group, so far fewer fsyncs than exchanges), and still records an exchange that continues an earlier
/// one only after it, so it is stitched into the same conversation.
/// </summary>
public sealed class SpoolDrainTests : GatewayTestBase
{
    private const int Calls = 24;

    protected override FileSystemKind Kind => FileSystemKind.FaultInjecting;

    // The spool lives on the same (in-memory) disk, but outside the fault injection aimed at the archive.
    protected override GatewayOptions Options() => base.Options() with { Ack = AckMode.Async, FileSystem = Archives.Memory! };

    private ExchangeSpool Spool => (ExchangeSpool)Host.Services.GetRequiredService<IExchangeSink>();

    [Fact]
    public async Task Drain_RecordsIndependentExchangesTogether_WithFewerFsyncsThanExchanges()
    {
        for (var i = 0; i < Calls; i++)
        {
            Upstream.Answer($"answer {i}");
            await Chat().CompleteChatAsync([new UserChatMessage($"question {i}")], cancellationToken: Ct);
        }

        var syncs = await RestartWithTheSpoolFullAsync(Calls);

        Assert.Equal(Calls, Conversations().Count);
        Assert.Empty(Spool.Pending());
        // One by one, every exchange is a commit of its own with at least one fsync.
        Assert.True(syncs < Calls / 2, $"draining {Calls} spooled exchanges took {syncs} fsyncs of the archive");
    }

    [Fact]
    public async Task Drain_RecordsAContinuationAfterTheExchangeItContinues()
    {
        Upstream.Answer("first answer");
        await Chat().CompleteChatAsync([new UserChatMessage("first question")], cancellationToken: Ct);
        for (var i = 0; i < 3; i++)
        {
            Upstream.Answer($"unrelated {i}");
            await Chat().CompleteChatAsync([new UserChatMessage($"other {i}")], cancellationToken: Ct);
        }

        Upstream.Answer("second answer");
        await Chat().CompleteChatAsync(
            [new UserChatMessage("first question"), new AssistantChatMessage("first answer"), new UserChatMessage("second question")], cancellationToken: Ct);

        await RestartWithTheSpoolFullAsync(5);

        Assert.Equal(4, Conversations().Count);
        var conversation = Conversations().Single(c => Archive.GetConversation(c.Id)!.Tree.Nodes.Values.Any(n => n.SearchText == "second answer"));
        var nodes = Archive.GetConversation(conversation.Id)!.Tree.Nodes.Values;
        Assert.Single(nodes, n => n.SearchText == "first answer"); // the history's answer is the stored one, not a copy
    }

    /// <summary>
    /// The calls so far were spooled while the archive could not commit; after a restart the spool holds them all
    /// when the drain starts. Returns the archive's fsyncs from the restart until the spool is empty.
    /// </summary>
    private async Task<int> RestartWithTheSpoolFullAsync(int expected)
    {
        await Spool.FlushAsync(Ct);
        Assert.Equal(expected, Spool.Pending().Count);
        await StopGatewayAsync();
        try
        {
            await Archive.DisposeAsync();
        }
        catch (IOException)
        {
            // the poisoned writer cannot close cleanly; recovery on the next open handles it
        }

        Archives.Memory!.Crash(); // only what was fsynced survives (the spool files were)
        Archives.Faults!.Disarm();
        var before = Archives.Faults.Syncs;
        Archive = Archives.Open();
        await StartGatewayAsync();
        await Spool.FlushAsync(Ct);
        return Archives.Faults.Syncs - before;
    }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Archives.Faults!.FailSyncAfter(0); // the archive cannot commit; the spool (outside the faults) still can
    }
}

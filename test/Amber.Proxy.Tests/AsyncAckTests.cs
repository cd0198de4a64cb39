using System.Text;
using Amber.Proxy.Spooling;
using Amber.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace Amber.Proxy.Tests;

/// <summary><c>--ack async</c>: the exchange is fsynced to the spool, released at once, and recorded in the background, surviving a restart.</summary>
public sealed class AsyncAckTests : GatewayTestBase
{
    protected override FileSystemKind Kind => FileSystemKind.FaultInjecting;

    // The spool lives on the same (in-memory) disk, but outside the fault injection aimed at the archive.
    protected override GatewayOptions Options() => base.Options() with { Ack = AckMode.Async, FileSystem = Archives.Memory! };

    private ExchangeSpool Spool => (ExchangeSpool)Host.Services.GetRequiredService<IExchangeSink>();

    [Fact]
    public async Task AsyncAck_RecordsInTheBackground_AndEmptiesTheSpool()
    {
        Upstream.Answer("async answer");
        var reply = await Chat().CompleteChatAsync([new UserChatMessage("async please")], cancellationToken: Ct);
        Assert.Equal("async answer", reply.Value.Content[0].Text);
        await Spool.FlushAsync(Ct);

        Assert.Single(Conversations());
        Assert.Empty(Spool.Pending());
    }

    [Fact]
    public async Task AsyncAck_WhenTheArchiveFails_KeepsTheSpoolFile_AndDrainsItAfterRestart()
    {
        Archives.Faults!.FailSyncAfter(0); // the archive cannot commit; the spool (outside the faults) still can
        Upstream.Answer("kept through a restart");
        var reply = await Chat().CompleteChatAsync([new UserChatMessage("survive")], cancellationToken: Ct);
        Assert.Equal("kept through a restart", reply.Value.Content[0].Text); // released without waiting for the archive
        await Spool.FlushAsync(Ct);
        var leftover = Assert.Single(Spool.Pending());
        Assert.Contains("kept through a restart", Encoding.UTF8.GetString(Archives.Memory!.ReadAllBytes(leftover)), StringComparison.Ordinal);

        await StopGatewayAsync();
        try
        {
            await Archive.DisposeAsync();
        }
        catch (IOException)
        {
            // the poisoned writer cannot close cleanly; recovery on the next open handles it
        }

        Archives.Memory.Crash(); // power loss: only what was fsynced survives (the spool file was)
        Archives.Faults.Disarm();
        Archive = Archives.Open();
        Assert.Empty(Conversations());
        await StartGatewayAsync();
        await Spool.FlushAsync(Ct);

        var conversation = Assert.Single(Conversations());
        Assert.Empty(Spool.Pending());
        var answer = Archive.GetConversation(conversation.Id)!.Tree.Nodes.Values.Single(n => n.Role == "assistant");
        Assert.Equal("kept through a restart", Assert.IsType<Amber.Core.Model.TextBlock>(answer.Content.Single()).Text);
    }
}

using Amber.Proxy.Spooling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;

namespace Amber.Proxy.Tests.Hardening;

/// <summary>Issue 20 item 20: <c>--ack async</c> recovers its spool at start, leaving no unfinished <c>.tmp</c> behind.</summary>
public sealed class SpoolTests : CaptureHardeningTestBase
{
    private readonly CollectingLoggerProvider log = new();

    protected override GatewayOptions Options() => base.Options() with { Ack = AckMode.Async };

    protected override void ConfigureLogging(ILoggingBuilder logging) => logging.AddProvider(log);

    private ExchangeSpool Spool => (ExchangeSpool)Host.Services.GetRequiredService<IExchangeSink>();

    [Fact]
    public async Task Item20_SpoolStart_UnfinishedTmpFilesLeftByAKill_AreRemovedAndCounted_CompleteOnesDrained()
    {
        Upstream.Answer("spooled before the kill");
        await Chat().CompleteChatAsync([new UserChatMessage("first")], cancellationToken: Ct);
        await Spool.FlushAsync(Ct);
        await StopGatewayAsync();

        // What a kill leaves: a write cut before its rename (never acknowledged), and a whole file not yet drained.
        var folder = Path.Combine(Archives.Directory, ExchangeSpool.Folder);
        var torn = Path.Combine(folder, "0000000000000000001-00000001-inst_torn.json.tmp");
        File.WriteAllText(torn, "{\"type\":\"amber.exchange/v1\",\"sour");
        File.WriteAllText(Path.Combine(folder, "0000000000000000002-00000002-inst_other.json.tmp"), "");

        await StartGatewayAsync();
        await Spool.FlushAsync(Ct);

        Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp"));
        var removed = Assert.Single(log.Entries, e => e.EventId.Id == 1101);
        Assert.Equal((LogLevel.Warning, "Amber.Proxy.Spooling.ExchangeSpool"), (removed.Level, removed.Category));
        Assert.Contains("removed 2 unfinished spool file(s)", removed.Message, StringComparison.Ordinal);
        Assert.Single(Conversations());
    }
}

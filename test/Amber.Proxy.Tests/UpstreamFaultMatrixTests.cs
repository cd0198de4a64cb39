using Amber.Core.Model;
using Amber.Proxy.Exchanges;
using Amber.Testing;

namespace Amber.Proxy.Tests;

/// <summary>
/// The upstream fault matrix (issue 18): for each way an upstream can fail, a client sees through the gateway what it
/// sees of the upstream directly (or the documented 502), and the exchange is kept with its outcome. Connection
/// refused and a request over the size limit are covered by FailureTests and GatewayRequestTests.
/// </summary>
public sealed class UpstreamFaultMatrixTests : GatewayTestBase
{
    private const int ReadLimit = 2048;
    private FaultUpstream faults = null!;

    public override async ValueTask InitializeAsync()
    {
        faults = await FaultUpstream.StartAsync();
        await base.InitializeAsync();
    }

    protected override GatewayOptions Options() => base.Options() with { OpenAiUpstream = faults.Url };

    [Theory]
    [InlineData(UpstreamFault.Normal, Outcomes.Complete)]
    [InlineData(UpstreamFault.ClientError, Outcomes.Complete)]
    [InlineData(UpstreamFault.ServerError, Outcomes.Complete)]
    [InlineData(UpstreamFault.ResetBeforeHeaders, Outcomes.UpstreamFailed)]
    [InlineData(UpstreamFault.ResetMidStream, Outcomes.UpstreamFailed)]
    [InlineData(UpstreamFault.Trickle, Outcomes.Complete)]
    [InlineData(UpstreamFault.Endless, Outcomes.ClientDisconnected)]
    [InlineData(UpstreamFault.InvalidSse, Outcomes.Complete)]
    public async Task ClientSeesWhatTheUpstreamSent_AndTheExchangeIsKeptWithItsOutcome(UpstreamFault fault, string outcome)
    {
        faults.Fault = fault;
        using var http = new HttpClient();
        var direct = await ClientView.FetchAsync(http, faults.Url, ReadLimit, Ct);
        var via = await ClientView.FetchAsync(http, GatewayUrl, ReadLimit, Ct);

        Assert.Null(ClientView.Differs(direct, via));
        var conversation = Assert.Single(await ConversationsEventually(1));
        var view = Archive.GetConversation(conversation.Id)!;
        var raw = RawExchange.Parse(Archive.GetBlob(view.Raw.Single())!);
        Assert.Equal(outcome, raw.Outcome);
        if (fault == UpstreamFault.ResetBeforeHeaders)
        {
            Assert.Null(raw.Status);
            return;
        }

        Assert.Equal(direct.Status, raw.Status);
        if (fault == UpstreamFault.Endless)
        {
            // Kept up to where the client left (at least what it read), and the partial answer is flagged.
            Assert.StartsWith(via.Text, raw.ResponseText, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(direct.Body, raw.ResponseBody.ToArray());
        }

        var answer = view.Tree.Nodes.Values.SingleOrDefault(n => n.Role == "assistant");
        if (outcome != Outcomes.Complete)
        {
            Assert.Contains(NodeFlags.Interrupted, Assert.IsType<Node>(answer).Flags);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await faults.DisposeAsync();
    }
}

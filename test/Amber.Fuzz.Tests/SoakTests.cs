using Amber.Fuzz.Soak;

namespace Amber.Fuzz.Tests;

/// <summary>CI's version of the gateway soak: the whole upstream fault matrix in rotation for 30 s (the tool runs the 10-minute one).</summary>
public sealed class SoakTests
{
    [Fact]
    public async Task FaultMatrixSoak_ClientViewsMatch_NothingLost_MemoryAndThreadsBounded()
    {
        var tally = await GatewaySoak.RunAsync(TimeSpan.FromSeconds(30), rate: 10, ct: TestContext.Current.CancellationToken);

        TestContext.Current.SendDiagnosticMessage(tally.ToString());
        Assert.True(tally.Calls >= 16, tally.ToString());
        Assert.True(tally.Clean, $"{tally}: {string.Join("; ", tally.Problems)}");
    }
}

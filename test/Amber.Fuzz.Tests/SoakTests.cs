using Amber.Fuzz.Soak;

namespace Amber.Fuzz.Tests;

/// <summary>
/// CI's version of the gateway soak: the whole upstream fault matrix in rotation for 30 s (the tool runs the 10-minute
/// one). It measures the test process's resident memory and threads, so it runs alone: with the fuzz and regression
/// tests allocating beside it in the same process, their memory counted as the gateway's (a CI run saw 104 MiB).
/// </summary>
[Collection(nameof(SoakAlone))]
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

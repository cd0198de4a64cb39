using Amber.Fuzz.Engine;
using Amber.Fuzz.Targets;
using Amber.Testing;

namespace Amber.Fuzz.Tests;

/// <summary>
/// CI's short fuzz run: every target, a few thousand mutants each (a few hundred for the importers, which also go
/// through the real import path), bounded in time. The ≥ 1M-input campaigns are run with the tool (RELIABILITY.md).
/// </summary>
public sealed class ShortCampaignTests
{
    public static TheoryData<string> Targets() => [.. TargetCatalog.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_HasNoCrashOrUnboundedMemory(string name)
    {
        var importer = name.StartsWith("import-", StringComparison.Ordinal) || name is "zip" or "bag";
        using var target = TargetCatalog.Create(name, importEvery: 8);
        var tally = Campaign.Run(target, new CampaignOptions
        {
            Inputs = importer ? 400 : 3_000,
            // The importers' seeds alone (each also through a real archive) can take seconds on a loaded machine.
            Duration = TimeSpan.FromSeconds(importer ? 15 : 4),
            Seed = 18,
            // Only a true hang fails the test (CI machines are shared; timings are not asserted).
            HangLimit = TimeSpan.FromSeconds(60),
        });

        TestContext.Current.SendDiagnosticMessage(tally.ToString());
        Assert.True(tally.Inputs > target.Seeds.Count, $"{name}: only {tally.Inputs} inputs ran");
        Assert.True(tally.Crashes == 0, $"{tally}: {string.Join("; ", tally.CrashKinds.Select(k => $"{k.Key}: {k.Value}"))}");
        Assert.Equal(0, tally.MemoryOverruns);
        Assert.Equal(0, tally.Hangs);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_AcceptsItsOwnSeeds(string name)
    {
        if (name.StartsWith("import-", StringComparison.Ordinal) && name != "import-llm-db" && SharedData.Directory is null)
        {
            Assert.Skip(SharedData.MissingMessage + " (the importers' seeds are the samples, cut to their first records)");
        }

        using var target = TargetCatalog.Create(name, importEvery: 1);
        foreach (var seed in target.Seeds)
        {
            Assert.Equal(Verdict.Accepted, target.Run(seed));
        }
    }
}

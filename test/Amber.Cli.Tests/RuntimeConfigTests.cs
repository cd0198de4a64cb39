using System.Text.Json.Nodes;

namespace Amber.Cli.Tests;

/// <summary>
/// The CLI's runtime settings, as the built <c>amber.runtimeconfig.json</c> hands them to the runtime (the same file
/// <c>./amber</c>'s build and the dotnet-tool package carry): tiered PGO off, for the short batch work most commands
/// are (docs/BENCHMARKS.md §23); thread-pool workers that block at once instead of spinning when they run out of work,
/// for the gateway's wake-ups (§36).
/// </summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void RuntimeConfig_OfTheBuiltCli_TurnsTieredPgoOff()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "amber.runtimeconfig.json");

        var properties = JsonNode.Parse(File.ReadAllText(path))!["runtimeOptions"]!["configProperties"]!;

        Assert.False(properties["System.Runtime.TieredPGO"]!.GetValue<bool>());
    }

    [Fact]
    public void RuntimeConfig_OfTheBuiltCli_TurnsThreadPoolSpinningOff()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "amber.runtimeconfig.json");

        var properties = JsonNode.Parse(File.ReadAllText(path))!["runtimeOptions"]!["configProperties"]!;

        Assert.Equal(0, properties["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]!.GetValue<int>());
    }
}

using Microsoft.AspNetCore.Builder;

namespace Amber.Core.Hosting.AspNet;

/// <summary>The one way Amber's servers (the gateway, the viewer) make their ASP.NET Core builder.</summary>
internal static class AmberWebHost
{
    /// <summary>
    /// A slim builder that does not watch its content root for configuration changes: Amber reads its own settings,
    /// and the watch is recursive over the working directory, which holds the archive (<c>./amber-data</c>), so every
    /// segment, index and spool write woke it — 0.1–0.2 ms of CPU per captured call (BENCHMARKS §41).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder()
        => WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
}

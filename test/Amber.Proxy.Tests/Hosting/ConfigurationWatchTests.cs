using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Amber.Proxy.Tests.Hosting;

/// <summary>
/// The gateway's host does not watch its content root for configuration changes: the watch is recursive over the
/// working directory, which holds the archive, so every capture's writes woke it (BENCHMARKS §41).
/// </summary>
public sealed class ConfigurationWatchTests : GatewayTestBase
{
    [Fact]
    public void GatewayHost_ReloadsNoConfigurationFileOnChange()
    {
        var root = Assert.IsAssignableFrom<IConfigurationRoot>(Host.Configuration);
        var files = root.Providers.OfType<JsonConfigurationProvider>().ToList();
        Assert.NotEmpty(files); // appsettings.json is still read once, as ASP.NET Core's defaults do
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched for changes"));
    }
}

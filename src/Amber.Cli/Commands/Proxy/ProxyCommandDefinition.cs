using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Proxy;

internal static class ProxyCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT to listen on", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var hostNames = CommonOptions.HostNames();
        var gateway = new GatewayCliOptions();
        var command = new Command("proxy", "Run the recording gateway: OpenAI and Anthropic calls under /v1 are forwarded unchanged and preserved") { listen, hostNames, CommonOptions.NoEncryption };
        foreach (var option in gateway.All)
        {
            command.Options.Add(option);
        }

        // The values are read through the settings (flag, AMBER_* variable, settings file, default).
        command.SetAction((parse, ct) => ProxyCommand.RunAsync(env(parse), ct));
        return command;
    }
}

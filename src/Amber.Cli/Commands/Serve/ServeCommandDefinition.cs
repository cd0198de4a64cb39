using System.CommandLine;
using Amber.Cli.Commands.Proxy;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Serve;

internal static class ServeCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT to listen on", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var gateway = new GatewayCliOptions();
        var command = new Command("serve", "Serve the archive over HTTP (JSON API; gateway and viewer on the same port)") { listen };
        foreach (var option in gateway.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => ServeCommand.RunAsync(env(parse), parse.GetValue(listen)!, ct, parse, gateway));
        return command;
    }
}

using System.CommandLine;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Serve;

internal static class ServeCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT to listen on", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var token = new Option<string?>("--token") { Description = "access token the viewer and API require (default: $AMBER_TOKEN; generated and printed when listening beyond loopback)" };
        var command = new Command("serve", "Serve the archive over HTTP (viewer at /, JSON API, gateway on the same port)") { listen, token };
        command.SetAction((parse, ct) => ServeCommand.RunAsync(env(parse), parse.GetValue(listen)!, parse.GetValue(token), ct));
        return command;
    }
}

using System.CommandLine;
using Amber.Cli.Commands.Proxy;
using Amber.Cli.Infrastructure;

namespace Amber.Cli.Commands.Serve;

internal static class ServeCommandDefinition
{
    public static Command Create(Func<ParseResult, CliEnvironment> env)
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT to listen on", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var localModel = new Option<string[]>("--local-model") { Description = "Host a local GGUF model as NAME=PATH.gguf for OpenAI Chat Completions (repeatable), recorded at T2" };
        var freeze = new Option<bool>("--freeze") { Description = "Save each local answer's inference state (T1)" };
        var token = new Option<string?>("--token") { Description = "the server's own admin token, at least 32 characters of letters, digits and -._~+/= (default: $AMBER_TOKEN or Serve:Token in amber.json; generated and printed when listening beyond loopback)" };
        var requireToken = new Option<bool>("--require-token") { Description = "Require a token (amber token create) on every route but /healthz and /readyz on loopback too, as always beyond loopback" };
        var hostNames = CommonOptions.HostNames();
        var gateway = new GatewayCliOptions();
        var command = new Command("serve", "Serve the archive over HTTP (viewer at /, JSON API, gateway and local models on the same port)") { listen, hostNames, token, requireToken, localModel, freeze };
        foreach (var option in gateway.All)
        {
            command.Options.Add(option);
        }

        // --listen, --token, --host-name and the gateway's options are read through the settings (flag, AMBER_* variable, settings file, default).
        command.SetAction((parse, ct) => ServeCommand.RunAsync(env(parse), ct, parse.GetValue(localModel) ?? [], parse.GetValue(freeze), parse.GetValue(requireToken)));
        return command;
    }
}

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
        var node = new Option<string?>("--node") { Description = "Join a cluster archive as node NAME: this archive folder is its shard, shipped to --store and applied to --catalog" };
        var store = new Option<string?>("--store") { Description = "The cluster's object store, s3://BUCKET[/PREFIX] (default: $AMBER_STORE; credentials from AWS_*)" };
        var catalog = new Option<string?>("--catalog") { Description = "The cluster's PostgreSQL catalogue, an Npgsql connection string (default: $AMBER_CATALOG)" };
        var catalogSchema = new Option<string>("--catalog-schema") { Description = "The PostgreSQL schema that holds the catalogue", DefaultValueFactory = _ => "amber" };
        var shipSeconds = new Option<string>("--ship-seconds") { Description = "With --ack local, the longest a commit waits to be shipped and applied", DefaultValueFactory = _ => "2" };
        var lockMode = new Option<string>("--lock-mode") { Description = "Object Lock mode of shipped objects", DefaultValueFactory = _ => "compliance" }.AcceptOnlyFromAmong("compliance", "governance");
        var retention = new Option<string>("--retention-days") { Description = "Days each shipped object stays locked", DefaultValueFactory = _ => "3650" };
        var allowUnlocked = new Option<bool>("--allow-unlocked") { Description = "Accept an object store bucket without Object Lock" };
        var gateway = new GatewayCliOptions(cluster: true);
        var command = new Command("serve", "Serve the archive over HTTP (viewer at /, JSON API, gateway and local models on the same port)") { listen, hostNames, token, requireToken, localModel, freeze, CommonOptions.NoEncryption };
        foreach (var option in gateway.All.Concat([node, store, catalog, catalogSchema, shipSeconds, lockMode, retention, allowUnlocked]))
        {
            command.Options.Add(option);
        }

        // --listen, --token, --host-name and the gateway's options are read through the settings (flag, AMBER_* variable, settings file, default).
        command.SetAction((parse, ct) => ServeCommand.RunAsync(env(parse), ct, parse.GetValue(localModel) ?? [], parse.GetValue(freeze), parse.GetValue(requireToken),
            parse.GetValue(allowUnlocked)));
        return command;
    }
}

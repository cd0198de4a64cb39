using Amber.Cli.Commands.Cost;
using Amber.Cli.Commands.Proxy;
using Amber.Cli.Infrastructure;
using Amber.Cli.Infrastructure.Settings;
using Amber.Core.Hosting;
using Amber.Proxy;
using Amber.Viewer;
using Amber.Viewer.Charts;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Builder;

namespace Amber.Cli.Commands.Serve;

internal static class ServeCommand
{
    public static async Task<int> RunAsync(CliEnvironment env, CancellationToken ct, IReadOnlyList<string>? localModels = null, bool freeze = false, bool requireToken = false)
    {
        var listen = env.Settings[SettingsCatalogue.ServeListen].Value!;
        var hostNames = env.Settings[SettingsCatalogue.ServeHostNames].Values;
        var tokenSetting = env.Settings[SettingsCatalogue.ServeToken];
        var token = string.IsNullOrEmpty(tokenSetting.Value) ? null : tokenSetting.Value;
        System.Net.IPEndPoint endpoint;
        GatewayOptions gateway;
        TelemetrySettings telemetry;
        HostPolicy hosts;
        try
        {
            endpoint = AmberServer.ParseListen(listen);
            hosts = new HostPolicy(endpoint, hostNames);
            gateway = GatewayCliOptions.Read(env.Settings);
            telemetry = GatewayCliOptions.ReadTelemetry(env.Settings);
        }
        catch (FormatException e)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Usage;
        }

        var tokenSource = tokenSetting.Source.StartsWith("flag ", StringComparison.Ordinal) ? "--token" : tokenSetting.Source.StartsWith("env AMBER_TOKEN", StringComparison.Ordinal) ? "$AMBER_TOKEN" : $"{SettingsCatalogue.ServeToken} ({tokenSetting.Source})";
        if (token is not null && AccessToken.Problem(token) is { } problem)
        {
            env.Error.WriteLine($"amber: {tokenSource}: {problem}.");
            return ExitCodes.Usage;
        }

        var generated = false;
        var messages = new HostMessages(env, telemetry);
        if (!System.Net.IPAddress.IsLoopback(endpoint.Address))
        {
            messages.Warn($"listening on {endpoint.Address}, which is reachable from other machines; every route but /healthz and /readyz needs a token (amber token create; /v1 takes it as Amber-Token), and requests must name {hosts.Describe()} in Host (--host-name adds names).");
            if (token is null)
            {
                token = AccessToken.Create(System.Security.Cryptography.RandomNumberGenerator.Fill);
                generated = true;
            }
        }

        await using var archive = env.Open(createIfMissing: true, GatewayOptions.HotPathCompressionLevel);
        var (prices, _, storage) = CostSettings.Load(env.Settings);
        var tokens = new TokenStore(archive.Directory, TimeProvider.System, System.Security.Cryptography.RandomNumberGenerator.Fill);
        var options = new AmberServerOptions { Listen = listen, AccessToken = token, Tokens = tokens, RequireToken = requireToken, HostNames = hostNames ?? [], Telemetry = telemetry, Cost = new CostPricing(prices, storage) };
        Amber.Revive.LlamaSharp.Hosting.LocalModelRegistry? local;
        try
        {
            local = LocalModelServing.Configure(options, localModels ?? [], freeze, env.Out);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or FormatException)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Usage;
        }

        using var localModelsLifetime = local;
        // The gateway owns /v1/* (after the local model host, which answers only its own model names).
        options.Services.Add(s => s.AddAmberGateway(gateway));
        options.Endpoints.Add(e => e.MapAmberGateway());

        await using var app = AmberServer.Build(archive, options);
        if (!await Listening.TryStartAsync(app, listen, env.Error, ct).ConfigureAwait(false))
        {
            return ExitCodes.Failed;
        }

        messages.Attach(app);
        messages.Info($"serving {archive.Directory} at {string.Join(", ", app.Urls)} (viewer at /, JSON API under /api, gateway under /v1: {ProxyCommand.Describe(gateway)}); Ctrl+C stops.");
        if (token is not null)
        {
            messages.Private.WriteLine($"amber: access token{(generated ? " (generated)" : "")}: open {app.Urls.First()}/?token={token} or send Authorization: Bearer {token}");
        }
        if (archive.IsReadOnly)
        {
            messages.Warn("another process holds the writer lock; serving read-only (the gateway answers 503 to calls it cannot preserve).");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}

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
using Microsoft.Extensions.DependencyInjection;

namespace Amber.Cli.Commands.Serve;

internal static class ServeCommand
{
    public static async Task<int> RunAsync(CliEnvironment env, CancellationToken ct, IReadOnlyList<string>? localModels = null, bool freeze = false, bool requireToken = false,
        bool allowUnlocked = false)
    {
        var listen = env.Settings[SettingsCatalogue.ServeListen].Value!;
        var hostNames = env.Settings[SettingsCatalogue.ServeHostNames].Values;
        var tokenSetting = env.Settings[SettingsCatalogue.ServeToken];
        var token = string.IsNullOrEmpty(tokenSetting.Value) ? null : tokenSetting.Value;
        System.Net.IPEndPoint endpoint;
        GatewayOptions gateway;
        TelemetrySettings telemetry;
        HostPolicy hosts;
        ClusterServing.Settings? node;
        try
        {
            endpoint = AmberServer.ParseListen(listen);
            hosts = new HostPolicy(endpoint, hostNames);
            node = ClusterServing.Read(env, allowUnlocked);
            gateway = GatewayCliOptions.Read(env.Settings, cluster: node is not null);
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

        // A cluster node's shard is its own log: its origin names the node (set when the shard is created).
        await using var archive = env.Open(createIfMissing: true, GatewayOptions.HotPathCompressionLevel,
            o => (node is null ? o : o with { LogOrigin = Amber.Cluster.Shipping.NodeName.Origin(node.Node) }) with { WriterRetryInterval = GatewayOptions.WriterRetryInterval });
        await using var cluster = node is null ? null : await StartClusterAsync(env, node, archive, messages, ct).ConfigureAwait(false);
        if (node is not null && cluster is null)
        {
            return ExitCodes.Failed;
        }

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
        if (cluster is not null)
        {
            // --ack replicated: the answer's end waits for the commit to be in the object store and the catalogue.
            options.Services.Add(s => s.AddSingleton(sp => cluster.Sink(sp.GetRequiredService<ArchiveSink>())));
        }

        options.Endpoints.Add(e => e.MapAmberGateway());

        await using var app = AmberServer.Build(archive, options);
        if (!await Listening.TryStartAsync(app, listen, env.Error, ct).ConfigureAwait(false))
        {
            return ExitCodes.Failed;
        }

        messages.Attach(app);
        if (cluster is not null)
        {
            messages.Info($"node {cluster.Node}: shipping to {node!.Store.Location} and applying to the catalogue (schema {node.Schema}), "
                + (cluster.Replicated ? "--ack replicated (each answer ends once its commit is in both)" : $"--ack local (within {node.Interval.TotalSeconds:0.#} s)") + ".");
        }

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

    /// <summary>Joins the cluster as a node; null, with the reason on stderr, when the store or the catalogue cannot be had.</summary>
    private static async Task<ClusterServing?> StartClusterAsync(CliEnvironment env, ClusterServing.Settings node, Amber.Storage.Archive archive, HostMessages messages, CancellationToken ct)
    {
        if (archive.IsReadOnly)
        {
            env.Error.WriteLine($"amber: node {node.Node}: another process holds the writer lock of {archive.Directory}; each node needs its own archive folder.");
            return null;
        }

        try
        {
            return await ClusterServing.StartAsync(node, archive, messages.Warn, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Amber.Cluster.Objects.ObjectStoreException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            // The connection string may hold a password: the server's answer is named, never the string.
            env.Error.WriteLine($"amber: node {node.Node} could not join the cluster: {e.Message}");
            return null;
        }
    }
}

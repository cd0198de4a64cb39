using System.Globalization;
using Amber.Cli.Infrastructure;
using Amber.Cli.Infrastructure.Settings;
using Amber.Cluster.Catalogue;
using Amber.Cluster.Objects;
using Amber.Cluster.Shipping;
using Amber.Proxy;
using Amber.Proxy.Exchanges;
using Amber.Storage;

namespace Amber.Cli.Commands.Serve;

/// <summary>
/// <c>amber serve --node NAME</c>: the node keeps its own shard (the local archive), ships it to the object store
/// (<c>--store</c> / <c>AMBER_STORE</c>) and applies it to the catalogue (<c>--catalog</c> / <c>AMBER_CATALOG</c>) in
/// the background, or before each answer's end with <c>--ack replicated</c>. Credentials come from the <c>AWS_*</c>
/// variables and the connection string; neither is written anywhere.
/// </summary>
internal sealed class ClusterServing : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly S3ObjectStore store;
    private readonly PostgresCatalogue catalogue;
    private readonly Task loop;

    private ClusterServing(string node, bool replicated, S3ObjectStore store, PostgresCatalogue catalogue, ClusterNode cluster)
    {
        Node = node;
        Replicated = replicated;
        this.store = store;
        this.catalogue = catalogue;
        Cluster = cluster;
        loop = cluster.RunAsync(stop.Token);
    }

    public string Node { get; }

    public bool Replicated { get; }

    public ClusterNode Cluster { get; }

    /// <summary>What the node's settings say, checked before the archive opens; a <see cref="FormatException"/> names the bad one.</summary>
    public sealed record Settings(string Node, bool Replicated, ObjectStoreOptions Store, string Catalog, string Schema, TimeSpan Interval);

    /// <summary>The node's settings, or null when no <c>--node</c> is given.</summary>
    public static Settings? Read(CliEnvironment env, bool allowUnlocked)
    {
        var s = env.Settings;
        if (string.IsNullOrEmpty(s[SettingsCatalogue.Node].Value))
        {
            if (s[SettingsCatalogue.Ack].Value is "local" or "replicated")
            {
                throw new FormatException($"--ack {s[SettingsCatalogue.Ack].Value} is for a cluster node: add --node NAME (with --store and --catalog).");
            }

            return null;
        }

        var node = s[SettingsCatalogue.Node].Value!;
        try
        {
            NodeName.ThrowIfInvalid(node);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"--node: {e.Message}", e);
        }

        var storeUrl = s[SettingsCatalogue.Store].Value;
        var catalog = s[SettingsCatalogue.Catalog].Value;
        if (string.IsNullOrEmpty(storeUrl) || string.IsNullOrEmpty(catalog))
        {
            throw new FormatException("--node needs the object store (--store or AMBER_STORE, s3://BUCKET) and the catalogue (--catalog or AMBER_CATALOG); `eval \"$(scripts/services up)\"` sets both for a trial.");
        }

        var seconds = double.TryParse(s[SettingsCatalogue.ShipSeconds].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var sec) && sec > 0 && sec <= 3600
            ? sec : throw new FormatException($"{SettingsCatalogue.ShipSeconds} ({s[SettingsCatalogue.ShipSeconds].Source}): \"{s[SettingsCatalogue.ShipSeconds].Value}\" is not a number of seconds from 0 to 3600.");
        var (mode, retention) = ClusterEngines.Lock(env);
        var options = ClusterEngines.StoreOptions(env, storeUrl, mode, retention, allowUnlocked);
        return new Settings(node, s[SettingsCatalogue.Ack].Value == "replicated", options, catalog, s[SettingsCatalogue.CatalogSchema].Value ?? "amber", TimeSpan.FromSeconds(seconds));
    }

    /// <summary>Connects to the store (creating a locked bucket if there is none) and the catalogue, and starts shipping.</summary>
    public static async Task<ClusterServing> StartAsync(Settings settings, Archive archive, Action<string> log, CancellationToken ct)
    {
        var store = await S3ObjectStore.OpenAsync(settings.Store, TimeProvider.System, create: true, ct).ConfigureAwait(false);
        PostgresCatalogue? catalogue = null;
        try
        {
            catalogue = PostgresCatalogue.Open(settings.Catalog, settings.Schema);
            var cluster = new ClusterNode(archive, new ShardShipper(store, settings.Node), catalogue, settings.Interval, TimeProvider.System, log);
            // The first pass before serving: a node that restarts catches the bucket and the catalogue up first.
            await cluster.ReplicateAsync(ct).ConfigureAwait(false);
            return new ClusterServing(settings.Node, settings.Replicated, store, catalogue, cluster);
        }
        catch
        {
            if (catalogue is not null)
            {
                await catalogue.DisposeAsync().ConfigureAwait(false);
            }

            store.Dispose();
            throw;
        }
    }

    /// <summary>With <c>--ack replicated</c>, the sink that holds an answer's end until its commit is in the store and the catalogue.</summary>
    public IExchangeSink Sink(IExchangeSink durable) => Replicated ? new ReplicatedSink(durable, Cluster) : durable;

    /// <summary>Stops the background loop and ships what the last pass left.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        try
        {
            await Cluster.ReplicateAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            Cluster.Dispose();
            await catalogue.DisposeAsync().ConfigureAwait(false);
            store.Dispose();
            stop.Dispose();
        }
    }

    private sealed class ReplicatedSink(IExchangeSink durable, ClusterNode cluster) : IExchangeSink
    {
        public bool CanWrite => durable.CanWrite;

        public async Task PreserveAsync(RawExchange exchange, CancellationToken ct)
        {
            await durable.PreserveAsync(exchange, ct).ConfigureAwait(false);
            await cluster.ReplicateAsync(ct).ConfigureAwait(false);
        }
    }
}

using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Cli.Infrastructure.Settings;
using Amber.Cluster.Catalogue;
using Amber.Cluster.Objects;
using Npgsql;

namespace Amber.Cli.Commands.Init;

/// <summary>
/// <c>amber init --cluster</c>: the cluster archive's engines made ready — the bucket <c>--store</c> / <c>AMBER_STORE</c>
/// names, created with Object Lock and its default retention (an existing one must have Object Lock), and the empty
/// catalogue schema in the PostgreSQL <c>--catalog</c> / <c>AMBER_CATALOG</c> names. Nodes (<c>amber serve --node</c>)
/// then put their shards under <c>shards/NODE/</c> and apply them to the catalogue. No archive folder is made.
/// </summary>
internal static class ClusterInitCommand
{
    public static int Run(CliEnvironment env, bool json)
    {
        var s = env.Settings;
        var storeUrl = s[SettingsCatalogue.Store].Value;
        var connection = s[SettingsCatalogue.Catalog].Value;
        var schema = s[SettingsCatalogue.CatalogSchema].Value ?? "amber";
        bool created;
        RetentionMode bucketLock;
        try
        {
            if (string.IsNullOrEmpty(storeUrl) || string.IsNullOrEmpty(connection))
            {
                throw new FormatException("--cluster needs the object store (--store or AMBER_STORE, s3://BUCKET) and the catalogue (--catalog or AMBER_CATALOG); `eval \"$(scripts/services up)\"` sets both for a trial.");
            }

            var (mode, retention) = ClusterEngines.Lock(env);
            using (var store = S3ObjectStore.OpenAsync(ClusterEngines.StoreOptions(env, storeUrl, mode, retention, allowUnlocked: false), TimeProvider.System, create: true)
                .GetAwaiter().GetResult())
            {
                bucketLock = store.BucketLock;
            }

            var catalogue = PostgresCatalogue.Open(connection, schema);
            try
            {
                created = catalogue.CreateAsync().GetAwaiter().GetResult();
            }
            finally
            {
                catalogue.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or ObjectStoreException or NpgsqlException)
        {
            // The connection string may hold a password: name the server's answer, never the string.
            env.Error.WriteLine($"amber: the cluster archive could not be initialised: {e.Message}");
            return ExitCodes.Failed;
        }

        if (json)
        {
            Output.JsonLine(env.Out, new JsonObject
            {
                ["store"] = storeUrl,
                ["lock_mode"] = bucketLock.ToString().ToLowerInvariant(),
                ["catalog"] = "postgresql",
                ["schema"] = schema,
                ["catalog_created"] = created,
            });
        }
        else
        {
            env.Out.WriteLine($"The cluster archive's store {storeUrl} is ready (Object Lock, {bucketLock.ToString().ToLowerInvariant()} mode), and its catalogue "
                + (created ? $"was created in schema {schema}." : $"in schema {schema} already existed (layout checked)."));
            env.Out.WriteLine("Start nodes with `amber --archive FOLDER serve --node NAME`; read the whole archive with `amber ls --cluster`.");
        }

        return ExitCodes.Ok;
    }
}

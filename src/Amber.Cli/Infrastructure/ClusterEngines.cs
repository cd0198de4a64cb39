using System.Globalization;
using Amazon.Runtime;
using Amber.Cli.Infrastructure.Settings;
using Amber.Cluster.Catalogue;
using Amber.Cluster.Objects;

namespace Amber.Cli.Infrastructure;

/// <summary>
/// How the CLI reaches a cluster archive's engines: the object store from <c>--store</c> / <c>AMBER_STORE</c> and the
/// usual <c>AWS_*</c> variables (never written anywhere), the catalogue from <c>--catalog</c> / <c>AMBER_CATALOG</c>.
/// </summary>
internal static class ClusterEngines
{
    /// <summary>The store's options for <paramref name="storeUrl"/>; a <see cref="FormatException"/> names a bad variable.</summary>
    public static ObjectStoreOptions StoreOptions(CliEnvironment env, string storeUrl, RetentionMode mode, TimeSpan retention, bool allowUnlocked)
    {
        var variables = env.Variables;
        var endpoint = variables.GetValueOrDefault("AWS_ENDPOINT_URL");
        var key = variables.GetValueOrDefault("AWS_ACCESS_KEY_ID");
        var secret = variables.GetValueOrDefault("AWS_SECRET_ACCESS_KEY");
        return new ObjectStoreOptions(ObjectStoreLocation.Parse(storeUrl))
        {
            Endpoint = string.IsNullOrEmpty(endpoint) ? null
                : Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri : throw new FormatException($"AWS_ENDPOINT_URL: \"{endpoint}\" is not a URL."),
            Region = variables.GetValueOrDefault("AWS_REGION") is { Length: > 0 } region ? region : "us-east-1",
            Credentials = !string.IsNullOrEmpty(key) && !string.IsNullOrEmpty(secret) ? new BasicAWSCredentials(key, secret) : null,
            LockMode = mode,
            Retention = retention,
            AllowUnlocked = allowUnlocked,
        };
    }

    /// <summary>The Object Lock mode and retention objects are put under (<c>--lock-mode</c>, <c>--retention-days</c>); a <see cref="FormatException"/> names a bad one.</summary>
    public static (RetentionMode Mode, TimeSpan Retention) Lock(CliEnvironment env)
    {
        var s = env.Settings;
        var days = int.TryParse(s[SettingsCatalogue.RetentionDays].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d is >= 1 and <= 36_500
            ? d : throw new FormatException($"{SettingsCatalogue.RetentionDays} ({s[SettingsCatalogue.RetentionDays].Source}): \"{s[SettingsCatalogue.RetentionDays].Value}\" is not a whole number of days from 1 to 36500.");
        var mode = s[SettingsCatalogue.LockMode].Value switch
        {
            "compliance" => RetentionMode.Compliance,
            "governance" => RetentionMode.Governance,
            var other => throw new FormatException($"{SettingsCatalogue.LockMode} ({s[SettingsCatalogue.LockMode].Source}): \"{other}\" is not compliance or governance."),
        };
        return (mode, TimeSpan.FromDays(days));
    }

    /// <summary>
    /// Opens the configured store to read it (nothing is put, so an unlocked bucket is read too), or throws a
    /// <see cref="FormatException"/> saying what is missing.
    /// </summary>
    public static Task<S3ObjectStore> OpenStoreForReadingAsync(CliEnvironment env, CancellationToken ct)
    {
        var url = env.Settings[SettingsCatalogue.Store].Value;
        if (string.IsNullOrEmpty(url))
        {
            throw new FormatException("the cluster's object store is not set: give AMBER_STORE (s3://BUCKET[/PREFIX]); `eval \"$(scripts/services up)\"` sets it for a trial.");
        }

        return OpenStoreForReadingAsync(env, url, ct);
    }

    /// <summary>Opens the store at <paramref name="url"/> (s3://BUCKET[/PREFIX]) to read it, whatever its lock.</summary>
    public static Task<S3ObjectStore> OpenStoreForReadingAsync(CliEnvironment env, string url, CancellationToken ct)
        => S3ObjectStore.OpenAsync(StoreOptions(env, url, RetentionMode.None, TimeSpan.FromDays(1), allowUnlocked: true), TimeProvider.System, create: false, ct);

    /// <summary>
    /// True when a read command is to answer from the cluster's catalogue: <c>--cluster</c> or <c>AMBER_CLUSTER=1</c>.
    /// Never implied by AMBER_CATALOG and AMBER_STORE alone: those name the engines a node ships to, and an operator (or
    /// CI) may have them set while reading a local archive folder.
    /// </summary>
    public static bool ReadsCluster(CliEnvironment env, bool flag) => flag || env.Variables.GetValueOrDefault("AMBER_CLUSTER") is "1" or "true";

    /// <summary>The catalogue AMBER_CATALOG names (schema from Cluster:CatalogSchema), or a <see cref="FormatException"/> saying it is not set.</summary>
    public static PostgresCatalogue OpenCatalogue(CliEnvironment env)
    {
        var connection = env.Settings[SettingsCatalogue.Catalog].Value;
        if (string.IsNullOrEmpty(connection))
        {
            throw new FormatException("the cluster's catalogue is not set: give AMBER_CATALOG (an Npgsql connection string); `eval \"$(scripts/services up)\"` sets it for a trial.");
        }

        return PostgresCatalogue.Open(connection, env.Settings[SettingsCatalogue.CatalogSchema].Value ?? "amber");
    }
}

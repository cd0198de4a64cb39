using System.Globalization;
using Amber.Core.Cost;
using Amber.Proxy;

namespace Amber.Cli.Infrastructure.Settings;

/// <summary>Every setting amber reads from amber.json, AMBER_* variables and flags, in one list (documented in README "Configuration").</summary>
internal static class SettingsCatalogue
{
    public const string EnvironmentPrefix = "AMBER_";

    /// <summary>The settings file looked for in the archive folder when no <c>--config</c> is given.</summary>
    public const string FileName = "amber.json";

    public const string Archive = "Archive";
    public const string Encryption = "Encryption";
    public const string ServeListen = "Serve:Listen";
    public const string ServeToken = "Serve:Token";
    public const string ServeHostNames = "Serve:HostNames";
    public const string ProxyListen = "Proxy:Listen";
    public const string ProxyHostNames = "Proxy:HostNames";
    public const string OpenAiUpstream = "Gateway:OpenAiUpstream";
    public const string AnthropicUpstream = "Gateway:AnthropicUpstream";
    public const string Ack = "Gateway:Ack";
    public const string Notice = "Gateway:Notice";
    public const string OtlpEndpoint = "Telemetry:OtlpEndpoint";
    public const string LogFormat = "Logging:Format";
    public const string CostPrices = "Cost:Prices";
    public const string CostStoragePrice = "Cost:StorageUsdPerGbMonth";
    public const string CostReplicas = "Cost:Replicas";
    public const string CostHorizonYears = "Cost:HorizonYears";
    public const string Node = "Node";
    public const string Catalog = "Catalog";
    public const string Store = "Store";
    public const string CatalogSchema = "Cluster:CatalogSchema";
    public const string ShipSeconds = "Cluster:ShipSeconds";
    public const string LockMode = "Cluster:LockMode";
    public const string RetentionDays = "Cluster:RetentionDays";

    /// <summary>The value of <see cref="Notice"/> that asks for the default notice text (what a bare <c>--notice</c> means).</summary>
    public const string DefaultNoticeValue = "on";

    /// <summary>Variables kept from before the settings file, read as aliases below the AMBER_SECTION__KEY form.</summary>
    public static IReadOnlyDictionary<string, string> LegacyVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AMBER_TOKEN"] = ServeToken,
    };

    private static readonly string[] Gateway = ["serve", "proxy"];

    // The dashboard's cost panel (serve) prices with the same settings as amber cost.
    private static readonly string[] Cost = ["cost", "serve"];

    public static IReadOnlyList<Setting> All { get; } =
    [
        new(Archive, "--archive", ["*"], "amber-data", "Archive folder (relative to the working folder); set in a --config file, not in the archive's own amber.json"),
        new(Encryption, "--no-encryption", ["init", "import", "serve", "proxy"], "on", "Whether an archive a command makes is encrypted at rest: on (each conversation under its own data key) or off (content in the clear; --no-encryption); an existing archive keeps what it is"),
        new(ServeListen, "--listen", ["serve"], "127.0.0.1:8080", "HOST:PORT amber serve listens on"),
        new(ServeToken, "--token", ["serve"], null, "Access token the viewer and API require (also read from AMBER_TOKEN)", Secret: true),
        new(ServeHostNames, "--host-name", ["serve"], null, "Host names besides loopback that amber serve answers", IsList: true),
        new(ProxyListen, "--listen", ["proxy"], "127.0.0.1:8080", "HOST:PORT amber proxy listens on"),
        new(ProxyHostNames, "--host-name", ["proxy"], null, "Host names besides loopback that amber proxy answers", IsList: true),
        new(OpenAiUpstream, "--openai-upstream", Gateway, GatewayOptions.DefaultOpenAiUpstream, "Where the gateway forwards OpenAI calls"),
        new(AnthropicUpstream, "--anthropic-upstream", Gateway, GatewayOptions.DefaultAnthropicUpstream, "Where the gateway forwards Anthropic calls"),
        new(Ack, "--ack", Gateway, "durable", "When the gateway releases a response's end: durable (fsynced in the archive) or async (fsynced in the archive, or in the spool when the archive cannot take it now); with amber serve --node, local (shipped within Cluster:ShipSeconds) or replicated (in the object store and catalogue)"),
        new(Notice, "--notice", Gateway, null, "Preservation notice added to captured calls: \"on\" for the default text, or the text"),
        new(OtlpEndpoint, "--otlp-endpoint", Gateway, null, "OTLP/HTTP endpoint traces, metrics and logs are exported to (/v1/traces etc. appended); unset exports nothing"),
        new(LogFormat, "--log-format", Gateway, "off", "Console logs: off (only Amber's warnings and errors, on stderr), text or json (one JSON object a line)"),
        new(CostPrices, "--prices", Cost, null, "JSON file of inference prices that replace or add to amber's dated table (README \"What it costs\")"),
        new(CostStoragePrice, "--storage-usd-per-gb-month", Cost, StoragePrices.DefaultUsdPerGbMonth.ToString(CultureInfo.InvariantCulture), "Storage price in USD per GB-month (default: S3 Standard; Glacier Deep Archive is 0.00099)"),
        new(CostReplicas, "--replicas", Cost, StoragePrices.DefaultReplicas.ToString(CultureInfo.InvariantCulture), "Copies of the archive kept"),
        new(CostHorizonYears, "--horizon-years", Cost, StoragePrices.DefaultHorizonYears.ToString(CultureInfo.InvariantCulture), "Years the archive is kept"),
        new(Node, "--node", ["serve"], null, "Join a cluster archive as this node: its own shard, shipped to --store and applied to --catalog"),
        new(Catalog, "--catalog", ["serve", "init"], null, "The cluster archive's PostgreSQL catalogue (an Npgsql connection string)", Secret: true),
        new(Store, "--store", ["serve", "init"], null, "The cluster archive's object store, s3://BUCKET[/PREFIX] (credentials from AWS_*, never stored)"),
        new(CatalogSchema, "--catalog-schema", ["serve", "init"], "amber", "The PostgreSQL schema that holds the catalogue"),
        new(ShipSeconds, "--ship-seconds", ["serve"], "2", "With --ack local, the longest a commit waits to be shipped to the object store and the catalogue"),
        new(LockMode, "--lock-mode", ["serve", "init"], "compliance", "Object Lock mode of shipped objects: compliance or governance"),
        new(RetentionDays, "--retention-days", ["serve", "init"], "3650", "Days each shipped object stays locked"),
    ];

    public static Setting Get(string key) => All.First(s => s.Key == key);
}

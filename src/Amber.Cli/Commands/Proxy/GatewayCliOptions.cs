using System.CommandLine;
using Amber.Cli.Infrastructure.Settings;
using Amber.Core.Hosting;
using Amber.Proxy;

namespace Amber.Cli.Commands.Proxy;

/// <summary>The gateway options shared by <c>amber proxy</c> and <c>amber serve</c>: same names, same meaning.</summary>
internal sealed class GatewayCliOptions
{
    public Option<string> OpenAiUpstream { get; } = new("--openai-upstream")
    {
        Description = "Where OpenAI calls (/v1/chat/completions, /v1/responses, other /v1 paths) are forwarded",
        DefaultValueFactory = _ => GatewayOptions.DefaultOpenAiUpstream,
    };

    public Option<string> AnthropicUpstream { get; } = new("--anthropic-upstream")
    {
        Description = "Where Anthropic calls (/v1/messages, and requests with an anthropic-version header) are forwarded",
        DefaultValueFactory = _ => GatewayOptions.DefaultAnthropicUpstream,
    };

    /// <param name="cluster">True for <c>amber serve</c>, whose <c>--ack</c> also takes a cluster node's <c>local</c> and <c>replicated</c>.</param>
    public GatewayCliOptions(bool cluster = false)
    {
        Ack = cluster
            ? new Option<string>("--ack")
            {
                Description = "durable: release the end of a response only once its capture is fsynced in the archive (default); async: once it is fsynced in the archive, or in the spool when the archive cannot take it now (another process holds it, a commit failed); "
                    + "with --node, local: fsynced on the node, shipped within --ship-seconds; replicated: once it is in the object store and the catalogue",
                DefaultValueFactory = _ => "durable",
            }.AcceptOnlyFromAmong("durable", "async", "local", "replicated")
            : new Option<string>("--ack")
            {
                Description = "durable: release the end of a response only once its capture is fsynced in the archive (default); async: once it is fsynced in the archive, or in the spool when the archive cannot take it now (another process holds it, a commit failed)",
                DefaultValueFactory = _ => "durable",
            }.AcceptOnlyFromAmong("durable", "async");
    }

    public Option<string> Ack { get; }

    public Option<string?> Notice { get; } = new("--notice")
    {
        Description = "Add a preservation notice to each captured call's system prompt (the default text, or TEXT)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<string?> OtlpEndpoint { get; } = new("--otlp-endpoint")
    {
        Description = "Export traces, metrics and logs over OTLP/HTTP to this URL (/v1/traces etc. appended)",
    };

    public Option<string> LogFormat { get; } = new Option<string>("--log-format")
    {
        Description = "Console logs: off (default: only Amber's warnings and errors, on stderr), text, or json (one JSON object a line)",
        DefaultValueFactory = _ => "off",
    }.AcceptOnlyFromAmong("off", "text", "json");

    public IEnumerable<Option> All => [OpenAiUpstream, AnthropicUpstream, Ack, Notice, OtlpEndpoint, LogFormat];

    /// <summary>The telemetry settings in force; a malformed endpoint or format is a <see cref="FormatException"/> naming where it came from.</summary>
    public static TelemetrySettings ReadTelemetry(EffectiveSettings settings)
    {
        var otlp = settings[SettingsCatalogue.OtlpEndpoint];
        var format = settings[SettingsCatalogue.LogFormat];
        Uri? endpoint = null;
        if (!string.IsNullOrEmpty(otlp.Value))
        {
            endpoint = Uri.TryCreate(otlp.Value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? uri
                : throw new FormatException($"{Where(otlp)}: \"{UrlDisplay.Mask(otlp.Value)}\" is not an http(s) URL (for example http://127.0.0.1:4318).");
        }

        return new TelemetrySettings
        {
            OtlpEndpoint = endpoint,
            LogFormat = format.Value switch
            {
                "off" or null or "" => Core.Hosting.LogFormat.Off,
                "text" => Core.Hosting.LogFormat.Text,
                "json" => Core.Hosting.LogFormat.Json,
                _ => throw new FormatException($"{Where(format)}: \"{format.Value}\" is not off, text or json."),
            },
        };
    }

    /// <summary>The gateway options in force (flags, AMBER_* variables, settings file, defaults); a malformed upstream URL is a <see cref="FormatException"/> naming where it came from.</summary>
    /// <param name="cluster">True for <c>amber serve --node</c>, which also takes <c>local</c> and <c>replicated</c> (the gateway's side of both is durable).</param>
    public static GatewayOptions Read(EffectiveSettings settings, bool cluster = false)
    {
        var notice = settings[SettingsCatalogue.Notice].Value;
        var ack = settings[SettingsCatalogue.Ack];
        if (ack.Value is not ("durable" or "async") && !(cluster && ack.Value is "local" or "replicated"))
        {
            throw new FormatException(ack.Value is "local" or "replicated"
                ? $"{SettingsCatalogue.Ack} ({ack.Source}): \"{ack.Value}\" is for a cluster node (amber serve --node NAME)."
                : $"{SettingsCatalogue.Ack} ({ack.Source}): \"{ack.Value}\" is not durable or async.");
        }

        return new GatewayOptions
        {
            OpenAiUpstream = Upstream(settings[SettingsCatalogue.OpenAiUpstream]),
            AnthropicUpstream = Upstream(settings[SettingsCatalogue.AnthropicUpstream]),
            Ack = ack.Value == "async" ? AckMode.Async : AckMode.Durable,
            Notice = string.IsNullOrEmpty(notice) ? null : notice == SettingsCatalogue.DefaultNoticeValue ? GatewayOptions.DefaultNotice : notice,
        };
    }

    private static Uri Upstream(SettingValue setting)
        => Uri.TryCreate(setting.Value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new FormatException($"{Where(setting)}: \"{UrlDisplay.Mask(setting.Value ?? "")}\" is not an http(s) URL (for example https://api.openai.com).");

    /// <summary>"--openai-upstream" for a flag (the message users knew), else the key and its source.</summary>
    private static string Where(SettingValue setting) => setting.Source.StartsWith("flag ", StringComparison.Ordinal) ? setting.Setting.Flag : $"{setting.Setting.Key} ({setting.Source})";
}

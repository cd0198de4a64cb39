namespace Amber.Core.Hosting;

/// <summary>How a host exports telemetry and writes logs (<c>Telemetry:OtlpEndpoint</c>, <c>Logging:Format</c>).</summary>
public sealed class TelemetrySettings
{
    /// <summary>Where traces, metrics and logs go over OTLP/HTTP (protobuf), the signal's path (<c>/v1/traces</c>, …) appended; null exports nothing.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>Console logs through Microsoft.Extensions.Logging: off (none, the default), text or json.</summary>
    public LogFormat LogFormat { get; init; }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Amber.Core.Diagnostics;
using Amber.Proxy.Spooling;

namespace Amber.Proxy.Diagnostics;

/// <summary>
/// The gateway's instruments on <see cref="AmberTelemetry.Meter"/>: captures by protocol and outcome (a rate of
/// <c>amber_gateway_captures_total</c> is captures per second), upstream errors, captures that could not be preserved,
/// and the depth of the <c>--ack async</c> spools open in this process.
/// </summary>
internal static class GatewayMetrics
{
    /// <summary>The protocol tag of a call forwarded without capture.</summary>
    public const string PassThrough = "passthrough";

    private static readonly ConcurrentDictionary<ExchangeSpool, byte> Spools = new();

    public static readonly Counter<long> Captures = AmberTelemetry.Meter.CreateCounter<long>(
        "amber.gateway.captures", "{exchange}", "Exchanges captured and preserved, by protocol and outcome");

    public static readonly Counter<long> UpstreamErrors = AmberTelemetry.Meter.CreateCounter<long>(
        "amber.gateway.upstream_errors", "{error}", "Upstream calls that failed, timed out or could not be reached, by protocol and kind");

    public static readonly Counter<long> CaptureFailures = AmberTelemetry.Meter.CreateCounter<long>(
        "amber.gateway.capture_failures", "{exchange}", "Exchanges the gateway could not preserve (their responses were withheld), by protocol");

    private static readonly ObservableGauge<long> SpoolDepth = AmberTelemetry.Meter.CreateObservableGauge(
        "amber.spool.depth", ObserveSpools, "{exchange}", "Exchanges spooled (--ack async) and not yet recorded in the archive");

    public static void RecordCapture(string protocol, string outcome)
        => Captures.Add(1, new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>("outcome", outcome));

    public static void RecordUpstreamError(string protocol, string kind)
        => UpstreamErrors.Add(1, new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>("kind", kind));

    public static void Track(ExchangeSpool spool)
    {
        _ = SpoolDepth; // the gauge exists once a spool does
        Spools.TryAdd(spool, 0);
    }

    public static void Untrack(ExchangeSpool spool) => Spools.TryRemove(spool, out _);

    private static long ObserveSpools()
    {
        long total = 0;
        foreach (var spool in Spools.Keys)
        {
            total += spool.Depth;
        }

        return total;
    }
}

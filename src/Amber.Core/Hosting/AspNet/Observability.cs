using System.Globalization;
using System.Net;
using Amber.Core.Diagnostics;
using Amber.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Amber.Core.Hosting.AspNet;

/// <summary>
/// Health, readiness, metrics, traces and logs of both ASP.NET hosts (`amber serve`, `amber proxy`), written once and
/// compiled into each as a linked source file (as <see cref="HostGuard"/>).
/// <list type="bullet">
/// <item><c>/healthz</c>: 200 "ok" while the process serves requests (liveness; it reads nothing).</item>
/// <item><c>/readyz</c>: 200 when the host can capture now (the archive is open for writing, so recovery is done, its
/// writer has not failed, and the index is at most <see cref="ReadyIndexLagCommits"/> commits behind), else 503; the
/// body says why.</item>
/// <item><c>/metrics</c>: the <see cref="AmberTelemetry.Meter"/> instruments in the Prometheus text format.</item>
/// </list>
/// </summary>
internal static class Observability
{
    public const string HealthPath = "/healthz";
    public const string ReadyPath = "/readyz";
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// The index lag /readyz tolerates. The writer holds back at 2048 unindexed commits (back-pressure), so half that
    /// means the indexer keeps up; a lag past it means reads of new captures are waiting on the index.
    /// </summary>
    public const long ReadyIndexLagCommits = 1024;

    /// <summary>Console logs in the chosen format, the Amber meter (scraped at /metrics) and source, and OTLP export when an endpoint is set.</summary>
    public static void AddAmberTelemetry(this WebApplicationBuilder builder, TelemetrySettings? settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        settings ??= new TelemetrySettings();
        switch (settings.LogFormat)
        {
            case LogFormat.Json:
                builder.Logging.AddJsonConsole(o =>
                {
                    o.TimestampFormat = Amber.Core.Time.Timestamps.MillisecondsFormat;
                    o.UseUtcTimestamp = true; // the format ends in 'Z'
                });
                break;
            case LogFormat.Text:
                builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
                break;
            default:
                // Off: no request or progress logs, but Amber's own warnings and errors (a spool that cannot record,
                // an upstream that failed) still reach stderr, one line each, as they did before there were logs.
                builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
                builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                builder.Logging.AddFilter<ConsoleLoggerProvider>((category, level) => level >= LogLevel.Warning && category?.StartsWith("Amber", StringComparison.Ordinal) == true);
                break;
        }

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("amber"))
            .WithMetrics(m => m.AddMeter(AmberTelemetry.Name).AddPrometheusExporter())
            // Every Amber span is kept, whatever a caller's traceparent says: a capture is the archive's own operation,
            // and a client whose HTTP stack sends sampled=00 must not make the gateway's spans vanish.
            .WithTracing(t => t.AddSource(AmberTelemetry.Name).SetSampler(new AlwaysOnSampler()));
        if (settings.OtlpEndpoint is { } endpoint)
        {
            // OTLP/HTTP with protobuf, as Amber's own /v1/traces receiver and most collectors take it.
            otel.UseOtlpExporter(OtlpExportProtocol.HttpProtobuf, endpoint);
        }
    }

    /// <summary>
    /// /metrics answers when <paramref name="loopbackOnly"/> is false (the host checks an access token before this
    /// middleware) or the client connects from loopback; otherwise the path falls through (404).
    /// </summary>
    public static IApplicationBuilder UseAmberMetrics(this IApplicationBuilder app, bool loopbackOnly)
        => app.UseOpenTelemetryPrometheusScrapingEndpoint(http =>
            http.Request.Path.Equals(MetricsPath, StringComparison.Ordinal)
            && (!loopbackOnly || (http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote))));

    public static WebApplication MapAmberHealth(this WebApplication app, Archive archive)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(archive);
        app.MapGet(HealthPath, () => Results.Text("ok"));
        app.MapGet(ReadyPath, () =>
        {
            var problem = NotReady(archive);
            return problem is null
                ? Results.Text("ready")
                : Results.Text("not ready: " + problem, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    /// <summary>Why <paramref name="archive"/> cannot take captures now, or null when it can (the /readyz rule).</summary>
    public static string? NotReady(Archive archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        if (archive.IsReadOnly)
        {
            return "the archive is open read-only (another process holds its writer lock)";
        }

        if (archive.WriterFailure is { } failure && !archive.TryRecoverWriter())
        {
            // Only a reopen recovers the tail: a host that reopens its writer in place (the gateway) does so here and on
            // the next capture once the cause is gone; any other must be restarted.
            return archive.WriterRetryInterval is { } every
                ? string.Create(CultureInfo.InvariantCulture, $"the archive writer failed ({failure.Message}); it is reopened every {every.TotalSeconds:0.#} s until that succeeds (free space if the disk is full)")
                : $"the archive writer failed ({failure.Message}); restart the process to recover";
        }

        var lag = archive.GetIndexLag();
        return lag.Commits > ReadyIndexLagCommits
            ? string.Create(CultureInfo.InvariantCulture, $"the index is {lag.Commits} commits behind (at most {ReadyIndexLagCommits})")
            : null;
    }
}

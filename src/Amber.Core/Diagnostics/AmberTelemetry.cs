using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Amber.Core.Diagnostics;

/// <summary>
/// The one <see cref="System.Diagnostics.Metrics.Meter"/> and the one <see cref="System.Diagnostics.ActivitySource"/>
/// of every Amber component, both named <see cref="Name"/>. Instruments are created on this meter where they are
/// recorded (the commit pipeline, the indexer, the gateway); an exporter subscribes to the name. With no listener a
/// measurement costs a few instructions and no allocation, and a span is never started.
/// </summary>
public static class AmberTelemetry
{
    /// <summary>The name of the meter and of the activity source: what an OpenTelemetry provider adds (AddMeter, AddSource).</summary>
    public const string Name = "Amber";

    public static Meter Meter { get; } = new(Name, Version);

    public static ActivitySource ActivitySource { get; } = new(Name, Version);

    private static string? Version => typeof(AmberTelemetry).Assembly.GetName().Version?.ToString();
}

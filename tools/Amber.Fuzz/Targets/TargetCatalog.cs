using Amber.Fuzz.Engine;
using Amber.Import.Formats;

namespace Amber.Fuzz.Targets;

/// <summary>Every fuzz target by name: one per export format, zip, Amber's own bag, the gateway's readers, canonical JSON, the transparency texts, the segment reader.</summary>
public static class TargetCatalog
{
    /// <summary>By default one input in this many also goes through the real import path (the rest through the format alone, much faster).</summary>
    public const int DefaultImportEvery = 16;

    public static IReadOnlyList<string> Names { get; } =
    [
        .. FormatRegistry.All.Select(f => "import-" + f.Name),
        "zip", "bag", "gateway-request", "gateway-response", "gateway-sse", "canonical-json", "checkpoint", "note", "receipt", "segment",
    ];

    public static IFuzzTarget Create(string name, int importEvery = DefaultImportEvery)
    {
        if (name.StartsWith("import-", StringComparison.Ordinal) && FormatRegistry.All.FirstOrDefault(f => "import-" + f.Name == name) is { } format)
        {
            return new ImportFormatTarget(format, importEvery);
        }

        return name switch
        {
            "zip" => new ZipTarget(),
            "bag" => new BagTarget(importEvery),
            "gateway-request" => new GatewayRequestTarget(),
            "gateway-response" => new GatewayResponseTarget(streamed: false),
            "gateway-sse" => new GatewayResponseTarget(streamed: true),
            "canonical-json" => new CanonicalJsonTarget(),
            "checkpoint" => new TransparencyTarget(TransparencyKind.Checkpoint),
            "note" => new TransparencyTarget(TransparencyKind.Note),
            "receipt" => new TransparencyTarget(TransparencyKind.Receipt),
            "segment" => new SegmentTarget(),
            _ => throw new ArgumentException($"unknown fuzz target \"{name}\"; known: {string.Join(", ", Names)}", nameof(name)),
        };
    }
}

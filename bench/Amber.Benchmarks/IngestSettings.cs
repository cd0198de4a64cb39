using Amber.Storage;

namespace Amber.Benchmarks;

/// <summary>How one ingest run is set up.</summary>
/// <param name="Label">Shown in the tables.</param>
/// <param name="Configure">Adjusts the archive options (compression level, dictionary training, …) from the defaults.</param>
/// <param name="Durable">False skips every fsync (diagnostic only: shows what fsync costs).</param>
/// <param name="IncludeNode">False commits the raw bytes only, without the stand-in normalized node.</param>
public sealed record IngestSettings(string Label, Func<ArchiveOptions, ArchiveOptions>? Configure = null, bool Durable = true, bool IncludeNode = true);

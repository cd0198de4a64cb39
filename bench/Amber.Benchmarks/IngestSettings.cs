using Amber.Storage;

namespace Amber.Benchmarks;

/// <summary>How one ingest run is set up.</summary>
/// <param name="Label">Shown in the tables.</param>
/// <param name="Configure">Adjusts the archive options (compression level, dictionary training, …) from the defaults.</param>
/// <param name="Durable">False skips every fsync (diagnostic only: shows what fsync costs).</param>
/// <param name="IncludeNode">False commits the raw bytes only, without the stand-in normalized node.</param>
/// <param name="Pipelined">
/// True submits every batch with CommitAsync before awaiting any, so the writer's group commit shares one
/// fsync and one index transaction among up to 256 queued batches; each batch is still acknowledged only
/// once durable. False (the headline figure) commits one batch at a time with <c>archive.Commit</c>.
/// </param>
/// <param name="RecordsPerCommit">Consecutive records of one file put into one batch (1 = one conversation per commit).</param>
public sealed record IngestSettings(
    string Label,
    Func<ArchiveOptions, ArchiveOptions>? Configure = null,
    bool Durable = true,
    bool IncludeNode = true,
    bool Pipelined = false,
    int RecordsPerCommit = 1);

using Amber.Core.Cost;

namespace Amber.Storage.Reading;

/// <summary>The index's sums per tenant, model and month (what <c>amber cost</c> prices) and the archive's size on disk.</summary>
/// <param name="ArchiveBytes">Segments, blob files and the index, the bytes a copy of the archive holds.</param>
/// <param name="LastSequence">The highest commit sequence the sums include (a cache key).</param>
public sealed record ArchiveUsage(IReadOnlyList<UsageRow> Rows, long ArchiveBytes, long LastSequence);

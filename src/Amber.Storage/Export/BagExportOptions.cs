namespace Amber.Storage.Export;

/// <summary>What <see cref="BagExport.Write"/> puts in a bag.</summary>
public sealed class BagExportOptions
{
    /// <summary>
    /// Export only the commits after this tree size (an incremental bag), with a consistency proof from it to the bag's
    /// checkpoint. Null exports the whole log.
    /// </summary>
    public long? SinceSize { get; init; }

    /// <summary>The signed checkpoint text of a previous export, kept in the incremental bag; checked against this log.</summary>
    public string? SinceCheckpoint { get; init; }

    /// <summary>Export only the commits whose log entry names this tenant (the keyed hash the gateway records).</summary>
    public string? Tenant { get; init; }
}

namespace Amber.Storage.Export;

/// <summary>How far <see cref="BagExport.Write"/> has come: log entries read of those the bag covers.</summary>
public readonly struct BagExportProgress(long entries, long entriesTotal)
{
    /// <summary>Log entries read so far (each one's commit and proof).</summary>
    public long Entries { get; } = entries;

    /// <summary>The log entries the bag covers (after --since, up to its checkpoint).</summary>
    public long EntriesTotal { get; } = entriesTotal;
}

namespace Amber.Storage.Export;

/// <summary>One commit as its frame holds it, read for a bag: enough to replay it into an identical log entry.</summary>
internal sealed class ExportedCommit
{
    public required long Seq { get; init; }

    /// <summary>The log entry: the exact bytes of the commit's info record.</summary>
    public required byte[] Entry { get; init; }

    /// <summary>Each conversation in frame order: its id, the record's canonical bytes and the member node ids.</summary>
    public required List<(string Id, byte[] Record, List<string> Nodes)> Conversations { get; init; }

    /// <summary>The ids of the blobs this commit stored first, in frame order (inline and external alike).</summary>
    public required List<string> Blobs { get; init; }

    /// <summary>Nodes first stored by this commit, by id: their canonical bytes.</summary>
    public required Dictionary<string, byte[]> Nodes { get; init; }

    /// <summary>Model references first stored by this commit, by id: their canonical bytes.</summary>
    public required Dictionary<string, byte[]> Models { get; init; }

    /// <summary>Annotations first stored by this commit, in frame order: id and canonical bytes.</summary>
    public required List<(string Id, byte[] Bytes)> Annotations { get; init; }

    /// <summary>The tenant the entry names, or null.</summary>
    public required string? Tenant { get; init; }
}

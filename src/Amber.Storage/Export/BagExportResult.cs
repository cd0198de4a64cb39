namespace Amber.Storage.Export;

/// <summary>What a bag holds once <see cref="BagExport.Write"/> finished.</summary>
public sealed class BagExportResult
{
    public required string Directory { get; init; }

    /// <summary>The tree size the bag starts after (0 for a full export).</summary>
    public required long FromSize { get; init; }

    /// <summary>The tree size of the bag's signed checkpoint.</summary>
    public required long ToSize { get; init; }

    public required int Commits { get; init; }

    public required int Conversations { get; init; }

    public required int Nodes { get; init; }

    public required int Blobs { get; init; }

    /// <summary>Bytes of the payload files (the bag-info Payload-Oxum's first number).</summary>
    public required long PayloadBytes { get; init; }

    public required int PayloadFiles { get; init; }
}

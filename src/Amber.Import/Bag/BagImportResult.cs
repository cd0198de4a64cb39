namespace Amber.Import.Bag;

/// <summary>What <see cref="BagImporter.Import"/> committed.</summary>
public sealed class BagImportResult
{
    public required int Commits { get; init; }

    public required int Conversations { get; init; }

    public required int Nodes { get; init; }

    public required int Blobs { get; init; }

    /// <summary>The tree size of the bag's signed checkpoint.</summary>
    public required long TreeSize { get; init; }

    /// <summary>The original log's origin, the name its verifier key and checkpoints carry.</summary>
    public required string Origin { get; init; }

    /// <summary>True when the entries were replayed byte for byte (the rebuilt log has the checkpoint's root); false for a tenant's bag.</summary>
    public required bool SameLog { get; init; }
}

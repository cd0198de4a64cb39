using Amber.Storage.Index;

namespace Amber.Storage.Commits;

/// <summary>A validated, encoded commit, waiting to be written (or, when unchanged, acknowledged without writing).</summary>
internal sealed class PreparedCommit
{
    public required long Sequence { get; init; }

    public required string InfoId { get; init; }

    public required byte[] InfoBytes { get; init; }

    public required byte[] Frame { get; init; }

    public required byte[] Decoded { get; init; }

    public byte[]? DictionaryFrame { get; init; }

    public uint DictionarySegment { get; set; }

    public long DictionaryOffset { get; set; }

    public required List<(string Hex, ReadOnlyMemory<byte> Bytes)> ExternalBlobs { get; init; }

    public required int NewNodes { get; init; }

    public required int NewBlobs { get; init; }

    public required IReadOnlyList<string> Conversations { get; init; }

    /// <summary>The conversations this commit stores first (empty when unchanged).</summary>
    public IReadOnlyList<string> NewConversations { get; init; } = [];

    /// <summary>The archive already holds everything in the batch; nothing is written.</summary>
    public bool Unchanged { get; init; }

    /// <summary>What the commit adds, for lookups until the indexer has committed it (null when unchanged).</summary>
    public UnindexedCommits.Group? Unindexed { get; init; }
}

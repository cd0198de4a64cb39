namespace Amber.Transparency.Merkle;

/// <summary>
/// An append-only list of 32-byte hashes stored back to back in fixed chunks: 32 bytes per hash instead of
/// an array object each, and no large-object-heap copies as the list grows to millions.
/// </summary>
internal sealed class HashList
{
    // 2,048 hashes = 64 KiB per chunk, below the 85,000-byte large-object threshold.
    private const int ChunkShift = 11;
    private const int ChunkHashes = 1 << ChunkShift;
    private const int ChunkBytes = ChunkHashes * MerkleHash.Size;

    // Small lists (upper levels, small trees) start small and double up to a full chunk.
    private const int FirstChunkBytes = 4 * MerkleHash.Size;

    private readonly List<byte[]> chunks = [];

    public long Count { get; private set; }

    public ReadOnlySpan<byte> this[long index]
    {
        get
        {
            if ((ulong)index >= (ulong)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be below {Count}.");
            }

            var offset = (int)(index & (ChunkHashes - 1)) * MerkleHash.Size;
            return chunks[(int)(index >> ChunkShift)].AsSpan(offset, MerkleHash.Size);
        }
    }

    public void Add(ReadOnlySpan<byte> hash)
    {
        var offset = (int)(Count & (ChunkHashes - 1)) * MerkleHash.Size;
        if (offset == 0)
        {
            chunks.Add(new byte[Count == 0 ? FirstChunkBytes : ChunkBytes]);
        }
        else if (offset == chunks[^1].Length)
        {
            var grown = chunks[^1];
            Array.Resize(ref grown, Math.Min(2 * grown.Length, ChunkBytes));
            chunks[^1] = grown;
        }

        hash.CopyTo(chunks[^1].AsSpan(offset, MerkleHash.Size));
        Count++;
    }
}

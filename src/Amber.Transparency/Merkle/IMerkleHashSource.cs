namespace Amber.Transparency.Merkle;

/// <summary>
/// Leaf hashes in log order, e.g. read back from an archive's stored log entries, so a
/// <see cref="MerkleTree"/> can be rebuilt without re-hashing the entries.
/// </summary>
public interface IMerkleHashSource
{
    /// <summary>The number of leaves.</summary>
    long Size { get; }

    /// <summary>Writes the 32-byte leaf hash at <paramref name="index"/> (0 ≤ index &lt; <see cref="Size"/>).</summary>
    void CopyLeafHash(long index, Span<byte> destination);
}

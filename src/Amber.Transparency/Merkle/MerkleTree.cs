using System.Numerics;

namespace Amber.Transparency.Merkle;

/// <summary>
/// An append-only RFC 6962 Merkle tree held in memory. It computes the root of any prefix and the inclusion
/// and consistency proofs of RFC 6962 §2.1.1–2.1.2 for any sizes up to <see cref="Size"/>.
/// </summary>
/// <remarks>
/// Every perfect subtree is cached: level L holds the hash of each completed run of 2^L leaves, so an append
/// touches O(log n) entries, and a root or proof needs O(log n) hashes: cached perfect subtrees plus
/// recomputation along the ragged right edge only. Memory is about 64 bytes per leaf. Not thread-safe: a
/// caller that appends while others read must synchronize.
/// </remarks>
public sealed class MerkleTree : IMerkleHashSource
{
    // levels[L][i] = MTH(D[i·2^L : (i+1)·2^L]); levels[0] are the leaf hashes.
    private readonly List<HashList> levels = [new HashList()];

    public MerkleTree()
    {
    }

    /// <summary>Rebuilds a tree from leaf hashes in log order.</summary>
    public MerkleTree(IEnumerable<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        foreach (var hash in leafHashes)
        {
            AppendLeafHash(hash);
        }
    }

    /// <summary>Rebuilds a tree from a source of leaf hashes (for example stored log entries).</summary>
    public MerkleTree(IMerkleHashSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Span<byte> hash = stackalloc byte[MerkleHash.Size];
        var size = source.Size;
        for (long i = 0; i < size; i++)
        {
            source.CopyLeafHash(i, hash);
            AppendLeafHash(hash);
        }
    }

    /// <summary>The number of leaves.</summary>
    public long Size => levels[0].Count;

    /// <summary>The root of the whole tree (<see cref="MerkleHash.EmptyRoot"/> when empty).</summary>
    public byte[] Root => GetRoot(Size);

    /// <summary>Appends an entry (hashed as an RFC 6962 leaf) and returns its index.</summary>
    public long AppendEntry(ReadOnlySpan<byte> entry)
    {
        Span<byte> hash = stackalloc byte[MerkleHash.Size];
        MerkleHash.HashLeaf(entry, hash);
        return AppendLeafHash(hash);
    }

    /// <summary>Appends an already computed leaf hash and returns its index.</summary>
    public long AppendLeafHash(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.Size)
        {
            throw new ArgumentException($"A leaf hash is {MerkleHash.Size} bytes (got {leafHash.Length}).", nameof(leafHash));
        }

        levels[0].Add(leafHash);
        var leafIndex = levels[0].Count - 1;

        // Each completed pair completes a perfect subtree one level up.
        Span<byte> parent = stackalloc byte[MerkleHash.Size];
        var index = leafIndex;
        var level = 0;
        while ((index & 1) == 1)
        {
            MerkleHash.HashChildren(levels[level][index - 1], levels[level][index], parent);
            level++;
            index >>= 1;
            if (levels.Count == level)
            {
                levels.Add(new HashList());
            }

            levels[level].Add(parent);
        }

        return leafIndex;
    }

    /// <summary>The leaf hash at <paramref name="index"/>.</summary>
    public byte[] GetLeafHash(long index) => levels[0][RequireIndex(index)].ToArray();

    /// <inheritdoc />
    public void CopyLeafHash(long index, Span<byte> destination) => levels[0][RequireIndex(index)].CopyTo(destination);

    /// <summary>
    /// The hash of the perfect subtree covering leaves [index·2^level, (index+1)·2^level), which must all exist.
    /// Level 0 gives leaf hashes; tlog-tiles hashes are the levels that are multiples of 8.
    /// </summary>
    public byte[] GetSubtreeHash(int level, long index)
    {
        if (level < 0 || level >= levels.Count || index < 0 || index >= levels[level].Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"No complete subtree {index} at level {level} in a tree of {Size} leaves.");
        }

        return levels[level][index].ToArray();
    }

    /// <summary>The root of the first <paramref name="size"/> leaves, MTH(D[0:size]).</summary>
    public byte[] GetRoot(long size)
    {
        RequireSize(size, nameof(size));
        if (size == 0)
        {
            return MerkleHash.EmptyRoot;
        }

        var root = new byte[MerkleHash.Size];
        RangeHash(0, size, root);
        return root;
    }

    /// <summary>
    /// The RFC 6962 audit path PATH(index, D[0:size]): leaf sibling first, root child last.
    /// </summary>
    public IReadOnlyList<byte[]> GetInclusionProof(long index, long size)
    {
        RequireSize(size, nameof(size));
        if (index < 0 || index >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The leaf index must be below the tree size {size}.");
        }

        // Walk from the root down to the leaf, taking the sibling at each split; the proof lists them bottom up.
        var path = new List<byte[]>(64);
        long start = 0;
        var end = size;
        while (end - start > 1)
        {
            var k = LargestPowerOfTwoBelow(end - start);
            if (index < start + k)
            {
                path.Add(RangeHash(start + k, end));
                end = start + k;
            }
            else
            {
                path.Add(RangeHash(start, start + k));
                start += k;
            }
        }

        path.Reverse();
        return path;
    }

    /// <summary>
    /// The RFC 6962 consistency proof PROOF(size1, D[0:size2]). Empty when the sizes are equal. A proof from
    /// the empty tree is meaningless (verifiers reject it), so <paramref name="size1"/> must be at least 1.
    /// </summary>
    public IReadOnlyList<byte[]> GetConsistencyProof(long size1, long size2)
    {
        RequireSize(size2, nameof(size2));
        if (size1 < 1 || size1 > size2)
        {
            throw new ArgumentOutOfRangeException(nameof(size1), size1, $"size1 must be between 1 and size2 ({size2}).");
        }

        // SUBPROOF(m, D[start:end], b) unrolled: collected top down, returned bottom up.
        var proof = new List<byte[]>(64);
        long start = 0;
        var end = size2;
        var m = size1;
        var completeSubtree = true;
        while (true)
        {
            if (m == end - start)
            {
                if (!completeSubtree)
                {
                    proof.Add(RangeHash(start, end));
                }

                break;
            }

            var k = LargestPowerOfTwoBelow(end - start);
            if (m <= k)
            {
                proof.Add(RangeHash(start + k, end));
                end = start + k;
            }
            else
            {
                proof.Add(RangeHash(start, start + k));
                start += k;
                m -= k;
                completeSubtree = false;
            }
        }

        proof.Reverse();
        return proof;
    }

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n ≥ 2).</summary>
    internal static long LargestPowerOfTwoBelow(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    private byte[] RangeHash(long start, long end)
    {
        var hash = new byte[MerkleHash.Size];
        RangeHash(start, end, hash);
        return hash;
    }

    // MTH(D[start:end]) for a non-empty range: a cache hit when the range is an aligned perfect subtree,
    // otherwise split as RFC 6962 does. Ranges reached from a root split are aligned, so at most one
    // branch per level recurses.
    private void RangeHash(long start, long end, Span<byte> destination)
    {
        var n = end - start;
        if (BitOperations.IsPow2(n) && (start & (n - 1)) == 0)
        {
            var level = BitOperations.Log2((ulong)n);
            levels[level][start >> level].CopyTo(destination);
            return;
        }

        var k = LargestPowerOfTwoBelow(n);
        Span<byte> left = stackalloc byte[MerkleHash.Size];
        Span<byte> right = stackalloc byte[MerkleHash.Size];
        RangeHash(start, start + k, left);
        RangeHash(start + k, end, right);
        MerkleHash.HashChildren(left, right, destination);
    }

    private long RequireIndex(long index)
    {
        if (index < 0 || index >= Size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The leaf index must be below the tree size {Size}.");
        }

        return index;
    }

    private void RequireSize(long size, string name)
    {
        if (size < 0 || size > Size)
        {
            throw new ArgumentOutOfRangeException(name, size, $"The size must be between 0 and the tree size {Size}.");
        }
    }
}

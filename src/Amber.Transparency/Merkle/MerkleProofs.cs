using System.Numerics;

namespace Amber.Transparency.Merkle;

/// <summary>
/// Verifies RFC 6962 inclusion and consistency proofs with the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2,
/// plus the guards the transparency-dev/merkle vectors enforce: every hash is exactly 32 bytes, a proof from
/// the empty tree is rejected, and equal sizes need an empty proof and equal roots.
/// </summary>
public static class MerkleProofs
{
    /// <summary>Checks that <paramref name="leafHash"/> is leaf <paramref name="index"/> of the tree of <paramref name="size"/> leaves with <paramref name="root"/>.</summary>
    public static VerificationResult VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        Span<byte> computed = stackalloc byte[MerkleHash.Size];
        var result = TryRootFromInclusionProof(index, size, leafHash, proof, computed);
        if (!result.IsValid)
        {
            return result;
        }

        if (root.Length != MerkleHash.Size)
        {
            return VerificationResult.Invalid($"The root is {root.Length} bytes; a SHA-256 root is {MerkleHash.Size}.");
        }

        return computed.SequenceEqual(root)
            ? VerificationResult.Valid
            : VerificationResult.Invalid($"The inclusion proof for leaf {index} leads to root {Convert.ToBase64String(computed)}, not the expected {Convert.ToBase64String(root)} of tree size {size}.");
    }

    /// <summary>
    /// Computes the root that an inclusion proof implies for <paramref name="leafHash"/> at <paramref name="index"/>
    /// in a tree of <paramref name="size"/> leaves, writing it to <paramref name="root"/>. Fails on malformed input
    /// (bad index, wrong hash length, wrong proof length).
    /// </summary>
    public static VerificationResult TryRootFromInclusionProof(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, Span<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (root.Length < MerkleHash.Size)
        {
            throw new ArgumentException($"The destination must hold {MerkleHash.Size} bytes.", nameof(root));
        }

        if (size <= 0 || index < 0 || index >= size)
        {
            return VerificationResult.Invalid($"Leaf index {index} is not inside a tree of size {size}.");
        }

        if (leafHash.Length != MerkleHash.Size)
        {
            return VerificationResult.Invalid($"The leaf hash is {leafHash.Length} bytes; a SHA-256 hash is {MerkleHash.Size}.");
        }

        var lengthCheck = CheckHashes(proof, ExpectedInclusionLength(index, size), $"leaf {index} in a tree of size {size}");
        if (!lengthCheck.IsValid)
        {
            return lengthCheck;
        }

        // RFC 9162 §2.1.3.2.
        var fn = (ulong)index;
        var sn = (ulong)(size - 1);
        Span<byte> r = stackalloc byte[MerkleHash.Size];
        leafHash.CopyTo(r);
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return VerificationResult.Invalid("The inclusion proof is longer than the path to the root.");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.HashChildren(p, r, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHash.HashChildren(r, p, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return VerificationResult.Invalid("The inclusion proof is shorter than the path to the root.");
        }

        r.CopyTo(root);
        return VerificationResult.Valid;
    }

    /// <summary>Checks that the tree of <paramref name="size1"/> leaves with <paramref name="root1"/> is a prefix of the tree of <paramref name="size2"/> leaves with <paramref name="root2"/>.</summary>
    public static VerificationResult VerifyConsistency(long size1, long size2, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (size1 < 0 || size2 < 0)
        {
            return VerificationResult.Invalid($"Tree sizes cannot be negative ({size1}, {size2}).");
        }

        if (size1 > size2)
        {
            return VerificationResult.Invalid($"size1 ({size1}) is larger than size2 ({size2}); a log never shrinks.");
        }

        if (size1 == 0)
        {
            return VerificationResult.Invalid("A consistency proof from the empty tree (size1 = 0) is meaningless; every tree extends it.");
        }

        if (size1 == size2)
        {
            if (proof.Count != 0)
            {
                return VerificationResult.Invalid($"The sizes are equal ({size1}) but the proof is not empty.");
            }

            return root1.SequenceEqual(root2)
                ? VerificationResult.Valid
                : VerificationResult.Invalid($"The sizes are equal ({size1}) but the roots differ.");
        }

        if (root1.Length != MerkleHash.Size || root2.Length != MerkleHash.Size)
        {
            return VerificationResult.Invalid($"The roots are {root1.Length} and {root2.Length} bytes; a SHA-256 root is {MerkleHash.Size}.");
        }

        var lengthCheck = CheckHashes(proof, ExpectedConsistencyLength(size1, size2), $"sizes {size1} to {size2}");
        if (!lengthCheck.IsValid)
        {
            return lengthCheck;
        }

        // RFC 9162 §2.1.4.2. When size1 is a power of two its root is the proof's implicit first element.
        var seedIsRoot1 = BitOperations.IsPow2(size1);
        var fn = (ulong)(size1 - 1);
        var sn = (ulong)(size2 - 1);
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        Span<byte> fr = stackalloc byte[MerkleHash.Size];
        Span<byte> sr = stackalloc byte[MerkleHash.Size];
        var seed = seedIsRoot1 ? root1 : proof[0];
        seed.CopyTo(fr);
        seed.CopyTo(sr);
        for (var i = seedIsRoot1 ? 0 : 1; i < proof.Count; i++)
        {
            var c = proof[i];
            if (sn == 0)
            {
                return VerificationResult.Invalid("The consistency proof is longer than the path to the root.");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.HashChildren(c, fr, fr);
                MerkleHash.HashChildren(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHash.HashChildren(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return VerificationResult.Invalid("The consistency proof is shorter than the path to the root.");
        }

        if (!fr.SequenceEqual(root1))
        {
            return VerificationResult.Invalid($"The consistency proof does not reproduce root1 of tree size {size1}.");
        }

        return sr.SequenceEqual(root2)
            ? VerificationResult.Valid
            : VerificationResult.Invalid($"The consistency proof does not reproduce root2 of tree size {size2}.");
    }

    /// <summary>The number of hashes in the inclusion proof of leaf <paramref name="index"/> in a tree of <paramref name="size"/> leaves.</summary>
    public static int ExpectedInclusionLength(long index, long size)
    {
        if (size <= 0 || index < 0 || index >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Leaf index {index} is not inside a tree of size {size}.");
        }

        // Inner nodes: below the point where the paths to the leaf and to the last leaf split. Border nodes:
        // above it, one per left sibling on the right edge (transparency-dev/merkle's decomposition).
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(index ^ (size - 1)));
        var border = BitOperations.PopCount((ulong)index >> inner);
        return inner + border;
    }

    /// <summary>The number of hashes in the consistency proof from <paramref name="size1"/> to <paramref name="size2"/> leaves (0 &lt; size1 ≤ size2).</summary>
    public static int ExpectedConsistencyLength(long size1, long size2)
    {
        if (size1 <= 0 || size1 > size2)
        {
            throw new ArgumentOutOfRangeException(nameof(size1), $"Need 0 < size1 ≤ size2 (got {size1}, {size2}).");
        }

        if (size1 == size2)
        {
            return 0;
        }

        // Skip the levels where size1's last leaf is a right child; the rest is an inclusion proof of that node,
        // plus the node itself unless it is the root of size1's tree (size1 a power of two).
        var level = BitOperations.TrailingZeroCount((ulong)size1);
        var index = (size1 - 1) >> level;
        var size = ((size2 - 1) >> level) + 1;
        return ExpectedInclusionLength(index, size) + (index == 0 ? 0 : 1);
    }

    private static VerificationResult CheckHashes(IReadOnlyList<byte[]> proof, int expected, string what)
    {
        if (proof.Count != expected)
        {
            return VerificationResult.Invalid($"The proof has {proof.Count} hashes; {what} needs {expected}.");
        }

        for (var i = 0; i < proof.Count; i++)
        {
            if (proof[i] is null || proof[i].Length != MerkleHash.Size)
            {
                return VerificationResult.Invalid($"Proof hash {i} is {proof[i]?.Length ?? 0} bytes; a SHA-256 hash is {MerkleHash.Size}.");
            }
        }

        return VerificationResult.Valid;
    }
}

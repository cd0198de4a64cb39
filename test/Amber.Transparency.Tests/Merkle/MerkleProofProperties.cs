using Amber.Transparency.Merkle;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Transparency.Tests.Merkle;

/// <summary>
/// Random trees of 1..2000 leaves: every generated inclusion and consistency proof verifies, and any tampering
/// (a flipped bit, a wrong index or size, a truncated or extended proof) is rejected.
/// </summary>
public sealed class MerkleProofProperties
{
    private const int MaxSize = 2000;

    // One tree serves every size: proofs are taken against prefixes of it.
    private static readonly MerkleTree Tree = BuildTree(MaxSize);

    private static readonly Gen<(int Size, int Index)> LeafInTree =
        Gen.Choose(1, MaxSize).SelectMany(size => Gen.Choose(0, size - 1).Select(index => (size, index)));

    private static readonly Gen<(int Size1, int Size2)> SizePair =
        Gen.Choose(1, MaxSize).SelectMany(size2 => Gen.Choose(1, size2).Select(size1 => (size1, size2)));

    private static readonly Gen<(int Position, int Bit)> Flip = Gen.Choose(0, int.MaxValue).SelectMany(p => Gen.Choose(0, 255).Select(b => (p, b)));

    [Property(MaxTest = 500)]
    public Property VerifyInclusion_GeneratedProof_Succeeds()
        => Prop.ForAll(LeafInTree.ToArbitrary(), c =>
        {
            var proof = Tree.GetInclusionProof(c.Index, c.Size);

            Assert.Equal(MerkleProofs.ExpectedInclusionLength(c.Index, c.Size), proof.Count);
            var result = MerkleProofs.VerifyInclusion(c.Index, c.Size, Tree.GetLeafHash(c.Index), proof, Tree.GetRoot(c.Size));
            Assert.True(result.IsValid, result.ToString());
        });

    [Property(MaxTest = 500)]
    public Property VerifyInclusion_FlippedBitInProofOrLeaf_Fails()
        => Prop.ForAll(LeafInTree.ToArbitrary(), Flip.ToArbitrary(), (c, flip) =>
        {
            var proof = Tree.GetInclusionProof(c.Index, c.Size).Select(h => (byte[])h.Clone()).ToArray();
            var leaf = Tree.GetLeafHash(c.Index);

            // Position 0 is the leaf hash, the rest are the proof's hashes.
            var position = flip.Position % (proof.Length + 1);
            FlipBit(position == 0 ? leaf : proof[position - 1], flip.Bit);

            Assert.False(MerkleProofs.VerifyInclusion(c.Index, c.Size, leaf, proof, Tree.GetRoot(c.Size)).IsValid);
        });

    [Property(MaxTest = 500)]
    public Property VerifyInclusion_FlippedBitInRoot_Fails()
        => Prop.ForAll(LeafInTree.ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(), (c, bit) =>
        {
            var root = Tree.GetRoot(c.Size);
            FlipBit(root, bit);

            Assert.False(MerkleProofs.VerifyInclusion(c.Index, c.Size, Tree.GetLeafHash(c.Index), Tree.GetInclusionProof(c.Index, c.Size), root).IsValid);
        });

    [Property(MaxTest = 500)]
    public Property VerifyInclusion_WrongIndex_Fails()
        => Prop.ForAll(LeafInTree.ToArbitrary(), Gen.Choose(1, MaxSize).ToArbitrary(), (c, shift) =>
        {
            var wrong = (c.Index + shift) % (MaxSize + 1);
            if (wrong == c.Index)
            {
                return;
            }

            var result = MerkleProofs.VerifyInclusion(wrong, c.Size, Tree.GetLeafHash(c.Index), Tree.GetInclusionProof(c.Index, c.Size), Tree.GetRoot(c.Size));
            Assert.False(result.IsValid, $"index {c.Index} proof accepted as index {wrong} in size {c.Size}");
        });

    // A proof binds the size through the root: checked against the other size's true root, it must fail.
    [Property(MaxTest = 500)]
    public Property VerifyInclusion_WrongSizeWithThatSizesRoot_Fails()
        => Prop.ForAll(LeafInTree.ToArbitrary(), Gen.Choose(1, MaxSize).ToArbitrary(), (c, otherSize) =>
        {
            if (otherSize == c.Size || c.Index >= otherSize)
            {
                return;
            }

            var result = MerkleProofs.VerifyInclusion(c.Index, otherSize, Tree.GetLeafHash(c.Index), Tree.GetInclusionProof(c.Index, c.Size), Tree.GetRoot(otherSize));
            Assert.False(result.IsValid, $"size {c.Size} proof accepted for size {otherSize}");
        });

    [Property(MaxTest = 500)]
    public Property VerifyInclusion_TruncatedOrExtendedProof_Fails()
        => Prop.ForAll(LeafInTree.ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), (c, mutation) =>
        {
            var proof = Tree.GetInclusionProof(c.Index, c.Size).ToList();
            if (!Mutate(proof, mutation, Tree.GetRoot(c.Size)))
            {
                return;
            }

            Assert.False(MerkleProofs.VerifyInclusion(c.Index, c.Size, Tree.GetLeafHash(c.Index), proof, Tree.GetRoot(c.Size)).IsValid);
        });

    [Property(MaxTest = 500)]
    public Property VerifyConsistency_GeneratedProof_Succeeds()
        => Prop.ForAll(SizePair.ToArbitrary(), c =>
        {
            var proof = Tree.GetConsistencyProof(c.Size1, c.Size2);

            Assert.Equal(MerkleProofs.ExpectedConsistencyLength(c.Size1, c.Size2), proof.Count);
            var result = MerkleProofs.VerifyConsistency(c.Size1, c.Size2, proof, Tree.GetRoot(c.Size1), Tree.GetRoot(c.Size2));
            Assert.True(result.IsValid, result.ToString());
        });

    [Property(MaxTest = 500)]
    public Property VerifyConsistency_FlippedBitAnywhere_Fails()
        => Prop.ForAll(SizePair.ToArbitrary(), Flip.ToArbitrary(), (c, flip) =>
        {
            var proof = Tree.GetConsistencyProof(c.Size1, c.Size2).Select(h => (byte[])h.Clone()).ToArray();
            var root1 = Tree.GetRoot(c.Size1);
            var root2 = Tree.GetRoot(c.Size2);

            // Positions 0 and 1 are the roots, the rest are the proof's hashes.
            var position = flip.Position % (proof.Length + 2);
            FlipBit(position switch { 0 => root1, 1 => root2, _ => proof[position - 2] }, flip.Bit);

            Assert.False(MerkleProofs.VerifyConsistency(c.Size1, c.Size2, proof, root1, root2).IsValid);
        });

    [Property(MaxTest = 500)]
    public Property VerifyConsistency_WrongSizesWithTheirRoots_Fail()
        => Prop.ForAll(SizePair.ToArbitrary(), Gen.Choose(1, MaxSize).ToArbitrary(), Gen.Elements(true, false).ToArbitrary(), (c, other, changeFirst) =>
        {
            var size1 = changeFirst ? other : c.Size1;
            var size2 = changeFirst ? c.Size2 : other;
            if ((size1, size2) == (c.Size1, c.Size2) || size1 > size2)
            {
                return;
            }

            var proof = Tree.GetConsistencyProof(c.Size1, c.Size2);
            var result = MerkleProofs.VerifyConsistency(size1, size2, proof, Tree.GetRoot(size1), Tree.GetRoot(size2));
            Assert.False(result.IsValid, $"proof {c.Size1}->{c.Size2} accepted for {size1}->{size2}");
        });

    [Property(MaxTest = 500)]
    public Property VerifyConsistency_TruncatedOrExtendedProof_Fails()
        => Prop.ForAll(SizePair.ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), (c, mutation) =>
        {
            var proof = Tree.GetConsistencyProof(c.Size1, c.Size2).ToList();
            if (!Mutate(proof, mutation, Tree.GetRoot(c.Size1)))
            {
                return;
            }

            Assert.False(MerkleProofs.VerifyConsistency(c.Size1, c.Size2, proof, Tree.GetRoot(c.Size1), Tree.GetRoot(c.Size2)).IsValid);
        });

    [Property(MaxTest = 200)]
    public Property GetRoot_RandomEntries_MatchesRecursiveDefinition()
        => Prop.ForAll(Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>()), n)).ToArbitrary(), entries =>
        {
            var tree = new MerkleTree();
            foreach (var entry in entries)
            {
                tree.AppendEntry(entry);
            }

            var leaves = entries.Select(e => MerkleHash.HashLeaf(e)).ToArray();
            Assert.Equal(leaves.Length == 0 ? MerkleHash.EmptyRoot : Mth(leaves), tree.Root);
            Assert.Equal(tree.Root, new MerkleTree(leaves).Root);
            Assert.Equal(tree.Root, new MerkleTree((IMerkleHashSource)tree).Root);
        });

    private static bool Mutate(List<byte[]> proof, int mutation, byte[] someHash)
    {
        switch (mutation)
        {
            case 0 when proof.Count > 0:
                proof.RemoveAt(proof.Count - 1);
                return true;
            case 1 when proof.Count > 0:
                proof.RemoveAt(0);
                return true;
            case 2:
                proof.Add(someHash);
                return true;
            case 3:
                proof.Insert(0, proof.Count > 0 ? proof[0] : someHash);
                return true;
            default:
                return false;
        }
    }

    private static void FlipBit(byte[] hash, int bit) => hash[bit / 8] ^= (byte)(1 << (bit % 8));

    private static byte[] Mth(byte[][] leaves)
    {
        if (leaves.Length == 1)
        {
            return leaves[0];
        }

        var k = 1;
        while (k * 2 < leaves.Length)
        {
            k *= 2;
        }

        return MerkleHash.HashChildren(Mth(leaves[..k]), Mth(leaves[k..]));
    }

    private static MerkleTree BuildTree(int size)
    {
        var tree = new MerkleTree();
        for (var i = 0; i < size; i++)
        {
            tree.AppendEntry(BitConverter.GetBytes(i));
        }

        return tree;
    }
}

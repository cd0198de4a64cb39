using System.Diagnostics;
using Amber.Transparency.Merkle;

namespace Amber.Transparency.Tests.Merkle;

/// <summary>The in-memory tree's edges: empty tree, argument checks, cached subtrees, a million leaves.</summary>
public sealed class MerkleTreeTests
{
    [Fact]
    public void Root_EmptyTree_IsSha256OfNothing()
    {
        var tree = new MerkleTree();

        Assert.Equal(0, tree.Size);
        Assert.Equal(Convert.FromHexString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), tree.Root);
    }

    [Fact]
    public void AppendEntry_ReturnsConsecutiveIndexes()
    {
        var tree = new MerkleTree();

        Assert.Equal(0, tree.AppendEntry("a"u8));
        Assert.Equal(1, tree.AppendEntry("b"u8));
        Assert.Equal(MerkleHash.HashLeaf("b"u8), tree.GetLeafHash(1));
        Assert.Equal(MerkleHash.HashChildren(MerkleHash.HashLeaf("a"u8), MerkleHash.HashLeaf("b"u8)), tree.Root);
    }

    [Fact]
    public void HashLeaf_LargeEntry_MatchesSmallPath()
    {
        var entry = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();

        Assert.Equal(System.Security.Cryptography.SHA256.HashData([0, .. entry]), MerkleHash.HashLeaf(entry));
    }

    [Fact]
    public void GetSubtreeHash_PerfectSubtrees_MatchPrefixRoots()
    {
        var tree = Build(1000);

        Assert.Equal(tree.GetRoot(512), tree.GetSubtreeHash(9, 0));
        Assert.Equal(tree.GetLeafHash(999), tree.GetSubtreeHash(0, 999));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GetSubtreeHash(9, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GetSubtreeHash(10, 0));
    }

    [Fact]
    public void Proofs_OutOfRangeArguments_Throw()
    {
        var tree = Build(10);

        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GetInclusionProof(10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GetInclusionProof(0, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GetInclusionProof(-1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GetConsistencyProof(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GetConsistencyProof(6, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GetConsistencyProof(5, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.GetRoot(11));
        Assert.Throws<ArgumentException>(() => tree.AppendLeafHash(new byte[31]));
    }

    [Fact]
    public void GetConsistencyProof_EqualSizes_IsEmpty()
        => Assert.Empty(Build(10).GetConsistencyProof(7, 7));

    [Fact]
    public void Constructor_FromHashSource_RebuildsSameTree()
    {
        var tree = Build(777);

        var copy = new MerkleTree((IMerkleHashSource)tree);

        Assert.Equal(tree.Size, copy.Size);
        Assert.Equal(tree.Root, copy.Root);
        Assert.Equal(tree.GetInclusionProof(123, 500), copy.GetInclusionProof(123, 500));
    }

    [Fact]
    public void AppendLeafHash_MillionLeaves_RootsAndProofsStayLogarithmic()
    {
        const int size = (1 << 20) + 12_345;
        var leaf = new byte[MerkleHash.Size];
        var tree = new MerkleTree();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < size; i++)
        {
            BitConverter.TryWriteBytes(leaf, i);
            tree.AppendLeafHash(leaf);
        }

        var appendTime = watch.Elapsed;
        watch.Restart();
        for (var i = 0; i < 1000; i++)
        {
            var index = (i * 7919L) % size;
            var newer = size - (i * 13);
            var older = Math.Max(1, newer - (i * 1001) - 1);
            var root = tree.GetRoot(newer);
            if (index < newer)
            {
                Assert.True(MerkleProofs.VerifyInclusion(index, newer, tree.GetLeafHash(index), tree.GetInclusionProof(index, newer), root).IsValid);
            }

            Assert.True(MerkleProofs.VerifyConsistency(older, newer, tree.GetConsistencyProof(older, newer), tree.GetRoot(older), root).IsValid);
        }

        // Generous bounds for a noisy shared machine; a quadratic implementation would take minutes.
        Assert.True(appendTime < TimeSpan.FromSeconds(30), $"appending took {appendTime}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"1,000 proof rounds took {watch.Elapsed}");
    }

    private static MerkleTree Build(int size)
    {
        var tree = new MerkleTree();
        for (var i = 0; i < size; i++)
        {
            tree.AppendEntry(BitConverter.GetBytes(i));
        }

        return tree;
    }
}

using System.Text.Json;
using Amber.Transparency.Merkle;

namespace Amber.Transparency.Tests.Merkle;

/// <summary>
/// The classic 8-leaf CT test tree (<c>../shared/vectors/tlog-merkle/rfc6962-tree.json</c>): leaf hashes and roots
/// for sizes 0..8, and proofs from <see cref="MerkleTree"/> equal to the RFC 6962 §2.1 recursive definitions.
/// </summary>
public sealed class Rfc6962TreeTests
{
    [Fact]
    public void HashLeaf_TreeVector_MatchesLeafHashes()
    {
        var (inputs, leafHashes, _) = Load();

        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(leafHashes[i], MerkleHash.HashLeaf(inputs[i]));
        }
    }

    [Fact]
    public void GetRoot_EverySize_MatchesRfcRoots()
    {
        var (inputs, _, roots) = Load();
        var tree = new MerkleTree();
        Assert.Equal(roots[0], tree.Root);

        foreach (var input in inputs)
        {
            tree.AppendEntry(input);
            Assert.Equal(roots[tree.Size], tree.Root);
        }

        for (var size = 0; size <= inputs.Length; size++)
        {
            Assert.Equal(roots[size], tree.GetRoot(size));
        }
    }

    [Fact]
    public void GetInclusionProof_EveryIndexAndSize_EqualsRfcPathAndVerifies()
    {
        var (inputs, leafHashes, roots) = Load();
        var tree = new MerkleTree(leafHashes);

        for (var size = 1; size <= inputs.Length; size++)
        {
            for (var index = 0; index < size; index++)
            {
                var proof = tree.GetInclusionProof(index, size);

                Assert.Equal(RfcPath(index, leafHashes[..size]), proof);
                Assert.True(MerkleProofs.VerifyInclusion(index, size, leafHashes[index], proof, roots[size]).IsValid);
            }
        }
    }

    [Fact]
    public void GetConsistencyProof_EverySizePair_EqualsRfcProofAndVerifies()
    {
        var (inputs, leafHashes, roots) = Load();
        var tree = new MerkleTree(leafHashes);

        for (var size2 = 1; size2 <= inputs.Length; size2++)
        {
            for (var size1 = 1; size1 <= size2; size1++)
            {
                var proof = tree.GetConsistencyProof(size1, size2);

                Assert.Equal(RfcSubproof(size1, leafHashes[..size2], true), proof);
                Assert.True(MerkleProofs.VerifyConsistency(size1, size2, proof, roots[size1], roots[size2]).IsValid);
            }
        }
    }

    [Fact]
    public void GetInclusionProof_KnownVector_MatchesTransparencyDevHappyPath()
    {
        var folder = Amber.Testing.SharedData.RequireVectors("tlog-merkle");
        var (_, leafHashes, _) = Load();
        var tree = new MerkleTree(leafHashes);

        foreach (var file in Directory.GetFiles(Path.Combine(folder, "inclusion"), "happy-path.json", SearchOption.AllDirectories))
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(file));
            var probe = json.RootElement;
            var expected = probe.GetProperty("proof").ValueKind == JsonValueKind.Null
                ? []
                : probe.GetProperty("proof").EnumerateArray().Select(e => e.GetBytesFromBase64()).ToList();

            var proof = tree.GetInclusionProof(probe.GetProperty("leafIdx").GetInt64(), probe.GetProperty("treeSize").GetInt64());

            Assert.Equal(expected, proof);
        }
    }

    [Fact]
    public void GetConsistencyProof_KnownVector_MatchesTransparencyDevHappyPath()
    {
        var folder = Amber.Testing.SharedData.RequireVectors("tlog-merkle");
        var (_, leafHashes, _) = Load();
        var tree = new MerkleTree(leafHashes);

        foreach (var file in Directory.GetFiles(Path.Combine(folder, "consistency"), "happy-path.json", SearchOption.AllDirectories))
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(file));
            var probe = json.RootElement;
            var expected = probe.GetProperty("proof").ValueKind == JsonValueKind.Null
                ? []
                : probe.GetProperty("proof").EnumerateArray().Select(e => e.GetBytesFromBase64()).ToList();

            var proof = tree.GetConsistencyProof(probe.GetProperty("size1").GetInt64(), probe.GetProperty("size2").GetInt64());

            Assert.Equal(expected, proof);
        }
    }

    // RFC 6962 §2.1.1 PATH(m, D[n]), written as the RFC states it.
    private static List<byte[]> RfcPath(int m, byte[][] leaves)
    {
        if (leaves.Length == 1)
        {
            return [];
        }

        var k = LargestPowerOfTwoBelow(leaves.Length);
        return m < k
            ? [.. RfcPath(m, leaves[..k]), Mth(leaves[k..])]
            : [.. RfcPath(m - k, leaves[k..]), Mth(leaves[..k])];
    }

    // RFC 6962 §2.1.2 SUBPROOF(m, D[n], b).
    private static List<byte[]> RfcSubproof(int m, byte[][] leaves, bool b)
    {
        if (m == leaves.Length)
        {
            return b ? [] : [Mth(leaves)];
        }

        var k = LargestPowerOfTwoBelow(leaves.Length);
        return m <= k
            ? [.. RfcSubproof(m, leaves[..k], b), Mth(leaves[k..])]
            : [.. RfcSubproof(m - k, leaves[k..], false), Mth(leaves[..k])];
    }

    private static byte[] Mth(byte[][] leaves)
        => leaves.Length == 1 ? leaves[0] : MerkleHash.HashChildren(Mth(leaves[..LargestPowerOfTwoBelow(leaves.Length)]), Mth(leaves[LargestPowerOfTwoBelow(leaves.Length)..]));

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }

    private static (byte[][] Inputs, byte[][] LeafHashes, byte[][] Roots) Load()
    {
        var folder = Amber.Testing.SharedData.RequireVectors("tlog-merkle");
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "rfc6962-tree.json")));
        byte[][] Hex(string name) => [.. json.RootElement.GetProperty(name).EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!))];
        return (Hex("leafInputsHex"), Hex("leafHashesHex"), Hex("rootsBySizeHex"));
    }
}

using Amber.Transparency.Merkle;
using Amber.Transparency.Tiles;

namespace Amber.Transparency.Tests.Tiles;

/// <summary>Hash tiles and entry bundles built from a tree match the tree.</summary>
public sealed class TileBuilderTests
{
    private const int Size = 70_000;

    private static readonly byte[][] Entries = [.. Enumerable.Range(0, Size).Select(i => BitConverter.GetBytes(i * 31L))];

    private static readonly MerkleTree Tree = new(Entries.Select(e => MerkleHash.HashLeaf(e)));

    [Fact]
    public void BuildHashTile_LevelZero_HoldsLeafHashes()
    {
        foreach (var tile in new[] { TilePath.HashTile(0, 0), TilePath.HashTile(0, 17), TilePath.HashTile(0, 273, 112) })
        {
            var hashes = TileBuilder.ParseHashTile(TileBuilder.BuildHashTile(Tree, tile));

            Assert.Equal(tile.Width, hashes.Count);
            for (var i = 0; i < hashes.Count; i++)
            {
                Assert.Equal(Tree.GetLeafHash((tile.Index * 256) + i), hashes[i]);
            }
        }
    }

    [Fact]
    public void BuildHashTile_FullTile_Is8192Bytes()
        => Assert.Equal(8192, TileBuilder.BuildHashTile(Tree, TilePath.HashTile(0, 3)).Length);

    [Fact]
    public void BuildHashTile_HigherLevels_HashIsRootOfFullTileBelow()
    {
        var level1 = TileBuilder.ParseHashTile(TileBuilder.BuildHashTile(Tree, TilePath.HashTile(1, 0)));
        var level1Partial = TileBuilder.ParseHashTile(TileBuilder.BuildHashTile(Tree, TilePath.HashTile(1, 1, 17)));
        var level2 = TileBuilder.ParseHashTile(TileBuilder.BuildHashTile(Tree, TilePath.HashTile(2, 0, 1)));

        // A level-1 hash is the Merkle root of the 256 hashes of one full level-0 tile.
        for (var i = 0; i < 256; i++)
        {
            Assert.Equal(RootOf(TileBuilder.BuildHashTile(Tree, TilePath.HashTile(0, i))), level1[i]);
        }

        for (var i = 0; i < 17; i++)
        {
            Assert.Equal(RootOf(TileBuilder.BuildHashTile(Tree, TilePath.HashTile(0, 256 + i))), level1Partial[i]);
        }

        Assert.Equal(RootOf(TileBuilder.BuildHashTile(Tree, TilePath.HashTile(1, 0))), level2[0]);
        Assert.Equal(Tree.GetRoot(65_536), level2[0]);
    }

    [Fact]
    public void BuildHashTile_BeyondTree_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TileBuilder.BuildHashTile(Tree, TilePath.HashTile(0, 273)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileBuilder.BuildHashTile(Tree, TilePath.HashTile(0, 273, 113)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileBuilder.BuildHashTile(Tree, TilePath.HashTile(2, 0, 2)));
        Assert.Throws<ArgumentException>(() => TileBuilder.BuildHashTile(Tree, TilePath.EntryBundle(0)));
    }

    [Fact]
    public void BuildEntryBundle_Entries_HashToLevelZeroTile()
    {
        var tile = TilePath.HashTile(0, 273, 112);
        var entries = Entries.Skip(273 * 256).Take(112).Select(e => new ReadOnlyMemory<byte>(e));

        var bundle = TileBuilder.BuildEntryBundle(entries);

        var parsed = TileBuilder.ParseEntryBundle(bundle);
        var hashes = TileBuilder.ParseHashTile(TileBuilder.BuildHashTile(Tree, tile));
        Assert.Equal(112, parsed.Count);
        Assert.Equal(hashes, parsed.Select(e => MerkleHash.HashLeaf(e)).ToList());
        Assert.Equal(112 * (2 + 8), bundle.Length);
        Assert.Equal([0, 8], bundle[..2]);
    }

    [Fact]
    public void BuildEntryBundle_EmptyAndMaximalEntries_RoundTrip()
    {
        var entries = new[] { Array.Empty<byte>(), new byte[TileBuilder.MaxEntryLength], "x"u8.ToArray() };

        var bundle = TileBuilder.BuildEntryBundle(entries.Select(e => new ReadOnlyMemory<byte>(e)));

        Assert.Equal(entries, TileBuilder.ParseEntryBundle(bundle));
        Assert.Equal([0, 0, 0xFF, 0xFF], bundle[..4]);
    }

    [Fact]
    public void BuildEntryBundle_OversizedEntry_Throws()
        => Assert.Throws<ArgumentException>(() => TileBuilder.BuildEntryBundle([new byte[TileBuilder.MaxEntryLength + 1]]));

    [Theory]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0, 3, 1, 2 })]
    public void ParseEntryBundle_Truncated_Throws(byte[] bundle)
        => Assert.Throws<FormatException>(() => TileBuilder.ParseEntryBundle(bundle));

    private static byte[] RootOf(byte[] tile) => new MerkleTree(TileBuilder.ParseHashTile(tile)).Root;
}

using Amber.Transparency.Tiles;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Transparency.Tests.Tiles;

/// <summary>c2sp.org/tlog-tiles path encoding, with the spec's own examples.</summary>
public sealed class TilePathTests
{
    [Theory]
    [InlineData(1234067L, "x001/x234/067")]
    [InlineData(5L, "005")]
    [InlineData(1000L, "x001/000")]
    [InlineData(0L, "000")]
    [InlineData(999L, "999")]
    [InlineData(1000000L, "x001/x000/000")]
    public void EncodeIndex_SpecExamples_UseXPrefixedGroups(long index, string expected)
        => Assert.Equal(expected, TilePath.EncodeIndex(index));

    [Fact]
    public void ToString_HashTilesAndBundles_FollowSpecLayout()
    {
        Assert.Equal("tile/0/x001/x234/067", TilePath.HashTile(0, 1234067).ToString());
        Assert.Equal("tile/1/005.p/17", TilePath.HashTile(1, 5, 17).ToString());
        Assert.Equal("tile/63/000", TilePath.HashTile(63, 0).ToString());
        Assert.Equal("tile/entries/x001/x234/067.p/8", TilePath.EntryBundle(1234067, 8).ToString());
        Assert.Equal("tile/entries/000", TilePath.EntryBundle(0).ToString());
    }

    [Theory]
    [InlineData("tile/0/x001/x234/067", 0, 1234067L, 256, false)]
    [InlineData("tile/2/001.p/1", 2, 1L, 1, false)]
    [InlineData("tile/entries/x001/000.p/255", 0, 1000L, 255, true)]
    public void Parse_CanonicalPath_GivesCoordinates(string path, int level, long index, int width, bool entries)
    {
        var tile = TilePath.Parse(path);

        Assert.Equal((level, index, width, entries), (tile.Level, tile.Index, tile.Width, tile.IsEntryBundle));
    }

    [Theory]
    [InlineData("tile/0/5")]
    [InlineData("tile/0/x000/005")]
    [InlineData("tile/0/001/005")]
    [InlineData("tile/0/x1/005")]
    [InlineData("tile/00/000")]
    [InlineData("tile/64/000")]
    [InlineData("tile/0/000.p/0")]
    [InlineData("tile/0/000.p/256")]
    [InlineData("tile/0/000.p/017")]
    [InlineData("tile/0/000.p")]
    [InlineData("tile/0/000/")]
    [InlineData("tiles/0/000")]
    [InlineData("tile/entries/.p/5")]
    [InlineData("/tile/0/000")]
    public void TryParse_NonCanonicalPath_IsRejected(string path)
        => Assert.False(TilePath.TryParse(path, out _));

    private static readonly Gen<TilePath> Tiles =
        from level in Gen.Choose(0, TilePath.MaxLevel)
        from index in Gen.OneOf(Gen.Choose(0, 5000).Select(n => (long)n), Gen.Choose(0, int.MaxValue).Select(n => (long)n * 4_000_000_001L))
        from width in Gen.Choose(1, TilePath.FullWidth)
        from entries in Gen.Elements(true, false)
        select entries ? TilePath.EntryBundle(index, width) : TilePath.HashTile(level, index, width);

    [Property(MaxTest = 500)]
    public Property Parse_FormattedPath_RoundTrips()
        => Prop.ForAll(Tiles.ToArbitrary(), tile => Assert.Equal(tile, TilePath.Parse(tile.ToString())));

    [Fact]
    public void HashTilesForTreeSize_SpecExample70000_MatchesSpec()
    {
        var tiles = TilePath.HashTilesForTreeSize(70_000).ToList();

        Assert.Equal(273, tiles.Count(t => t.Level == 0 && !t.IsPartial));
        Assert.Equal(112, Assert.Single(tiles, t => t.Level == 0 && t.IsPartial).Width);
        Assert.Equal(1, tiles.Count(t => t.Level == 1 && !t.IsPartial));
        Assert.Equal(17, Assert.Single(tiles, t => t.Level == 1 && t.IsPartial).Width);
        Assert.Equal(TilePath.HashTile(2, 0, 1), Assert.Single(tiles, t => t.Level == 2));
        Assert.Equal(273 + 1 + 1 + 1 + 1, tiles.Count);
    }

    [Fact]
    public void HashTilesForTreeSize_Size256_IsOneFullTileAndLevelOnePartial()
        => Assert.Equal([TilePath.HashTile(0, 0), TilePath.HashTile(1, 0, 1)], TilePath.HashTilesForTreeSize(256));

    [Fact]
    public void HashTilesForTreeSize_EmptyTree_HasNoTiles()
        => Assert.Empty(TilePath.HashTilesForTreeSize(0));

    [Theory]
    [InlineData(0, 0L, 70_000L, 256)]
    [InlineData(0, 273L, 70_000L, 112)]
    [InlineData(0, 274L, 70_000L, 0)]
    [InlineData(1, 1L, 70_000L, 17)]
    [InlineData(2, 0L, 70_000L, 1)]
    [InlineData(3, 0L, 70_000L, 0)]
    [InlineData(8, 0L, long.MaxValue, 0)]
    public void WidthAt_TreeSize_GivesFullPartialOrNone(int level, long index, long size, int expected)
        => Assert.Equal(expected, TilePath.WidthAt(level, index, size));
}

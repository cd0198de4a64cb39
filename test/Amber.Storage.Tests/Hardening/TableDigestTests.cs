using Amber.Core.Model;
using Amber.Storage.Index;
using Amber.Storage.Verification;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests.Hardening;

/// <summary>
/// Issue 22, verify: each index table is compared with the rows the segments give by an order-independent digest
/// (<see cref="TableDigest"/>), and row by row only when the digests differ. The digest of the rows derived in memory
/// must equal the digest of the live table read from SQLite, or verify would fall back to the slow comparison on every
/// healthy archive; and any row changed, added, removed or repeated must change it.
/// </summary>
public sealed class TableDigestTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];

    [Fact]
    public async Task TheDerivedRows_AndTheLiveTable_HaveTheSameDigest_ForEveryTable()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var derived = await IndexRowDeriverTests.SeedAndDeriveAsync(archive);

        using var c = new SqliteConnection($"Data Source={t.IndexPath};Mode=ReadOnly;Pooling=False");
        c.Open();
        foreach (var table in IndexTables.All.Where(x => x != IndexTables.Meta))
        {
            var want = TableDigest.Of(Key, derived.Rows(table));
            Assert.NotNull(want);
            var live = TableDigest.OfQuery(Key, c, $"SELECT {string.Join(", ", table.Columns)} FROM {table.Name}");
            Assert.True(live.SameAs(want), $"{table.Name}: the digest of the derived rows differs from the live table's");
            Assert.Equal(derived.Rows(table).Count(), live.Count);
        }
    }

    [Fact]
    public void TheDigest_IgnoresOrder_AndSeesEveryChange()
    {
        List<object?[]> rows = [[1L, "a", new byte[] { 1, 2 }, null, 1.5], [2L, "b", new byte[] { 3 }, 7L, -0.5], [3L, "é😀", Array.Empty<byte>(), "x", 0.0]];
        var digest = TableDigest.Of(Key, rows)!;
        Assert.True(TableDigest.Of(Key, [rows[2], rows[0], rows[1]])!.SameAs(digest));

        Assert.False(TableDigest.Of(Key, [rows[0], rows[1]])!.SameAs(digest)); // a row missing
        Assert.False(TableDigest.Of(Key, [.. rows, rows[0]])!.SameAs(digest)); // a row repeated
        Assert.False(TableDigest.Of(Key, [rows[0], rows[1], [3L, "é😀", Array.Empty<byte>(), "y", 0.0]])!.SameAs(digest)); // a value changed
        Assert.False(TableDigest.Of(Key, [rows[0], rows[1], [3L, "é😀", Array.Empty<byte>(), null, 0.0]])!.SameAs(digest)); // a value made null
        Assert.False(TableDigest.Of(Key, [rows[0], rows[1], ["3", "é😀", Array.Empty<byte>(), "x", 0.0]])!.SameAs(digest)); // an integer as text
        Assert.False(TableDigest.Of(Key, [[1L, "a", new byte[] { 1 }, null, 1.5], [2L, "b", new byte[] { 2, 3 }, 7L, -0.5], rows[2]])!.SameAs(digest)); // bytes moved between rows
        Assert.False(TableDigest.Of([.. Key.Reverse()], rows)!.SameAs(digest)); // another verify's key

        Assert.Null(TableDigest.Of(Key, [[1]])); // an Int32 is not what SQLite gives back: the row-by-row comparison judges
    }
}

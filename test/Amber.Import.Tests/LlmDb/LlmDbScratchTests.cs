using System.Collections;
using System.IO.Compression;
using System.Reflection;
using Amber.Import.Formats.LlmDb;
using Microsoft.Data.Sqlite;

namespace Amber.Import.Tests.LlmDb;

/// <summary>
/// A logs.db inside a zip is copied out under a reused name (<see cref="LlmDbScratch"/>). Found by fuzzing: a fresh
/// random name per copy left Microsoft.Data.Sqlite one pool group per connection string for the life of the process,
/// and its pruning (quadratic in their number) stalled one process for minutes after about half a million copies.
/// </summary>
public sealed class LlmDbScratchTests
{
    [Fact]
    public void Read_ManyZippedDbsOneAfterAnother_AddsNoSqlitePoolGroupPerFile()
    {
        using var fixture = new ImportFixture();
        var db = fixture.Temp("logs.db");
        LlmLogsDb.Create(db);
        var bytes = File.ReadAllBytes(db);
        var format = new LlmDbFormat();
        ReadZipped(format, bytes); // the first copy may add the one group its reused name needs
        var before = PoolGroups();

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(4, ReadZipped(format, bytes));
        }

        // Other test classes run meanwhile and may read a zipped logs.db too (a second name at most each): a few, not 20.
        Assert.InRange(PoolGroups() - before, 0, 4);
    }

    [Fact]
    public void Rent_AReturnedName_IsRentedAgainAndTheCopyIsGone()
    {
        var (path, slot) = LlmDbScratch.Rent();
        File.WriteAllBytes(path, [1, 2, 3]);
        LlmDbScratch.Return(path, slot);

        var again = LlmDbScratch.Rent();
        LlmDbScratch.Return(again.Path, again.Slot);

        Assert.False(File.Exists(path));
        Assert.Equal(path, again.Path);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }
    }

    /// <summary>Reads a logs.db as a zip entry is read: through a stream, with no local path.</summary>
    private static int ReadZipped(LlmDbFormat format, byte[] bytes)
    {
        var input = new ImportInput("io.datasette.llm/logs.db", bytes.Length, () => new MemoryStream(bytes, writable: false));
        return format.Read(input, TestContext.Current.CancellationToken).Count();
    }

    /// <summary>
    /// How many connection strings naming a copied logs.db Microsoft.Data.Sqlite keeps a pool group for (its factory's
    /// private dictionary, keyed by connection string; the pinned package version's layout).
    /// </summary>
    private static int PoolGroups()
    {
        var factory = typeof(SqliteConnection).Assembly.GetType("Microsoft.Data.Sqlite.SqliteConnectionFactory", throwOnError: true)!;
        var instance = factory.GetField("Instance", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(null)
            ?? factory.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic).Single(f => f.FieldType == factory).GetValue(null);
        var groups = factory.GetFields(BindingFlags.Instance | BindingFlags.NonPublic).Single(f => typeof(IDictionary).IsAssignableFrom(f.FieldType)).GetValue(instance);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                // Read without the factory's own lock: a connection opened meanwhile can change the dictionary under us.
                return ((IDictionary)groups!).Keys.Cast<string>().ToList().Count(k => k.Contains("amber-llm-", StringComparison.Ordinal));
            }
            catch (InvalidOperationException) when (attempt < 10)
            {
            }
        }
    }
}

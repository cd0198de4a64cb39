using Microsoft.Data.Sqlite;

namespace Amber.Storage.Tests;

/// <summary>Real faults in a real index, made from another connection: a lock held, a commit refused.</summary>
internal static class IndexFaults
{
    /// <summary>The SQL that makes every later index update fail (with "injected").</summary>
    public const string FailCommitsSql = "CREATE TRIGGER fail_commits BEFORE INSERT ON commits BEGIN SELECT RAISE(ABORT, 'injected'); END;";

    /// <summary>From now on every index update fails, until <see cref="StopFailingCommits"/>.</summary>
    public static void FailCommits(string indexPath) => Exec(indexPath, FailCommitsSql);

    public static void StopFailingCommits(string indexPath) => Exec(indexPath, "DROP TRIGGER fail_commits");

    /// <summary>Holds SQLite's write lock on the index from another connection until disposed.</summary>
    public static SqliteConnection HoldWriteLock(string indexPath)
    {
        var c = new SqliteConnection($"Data Source={indexPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "BEGIN IMMEDIATE";
        cmd.ExecuteNonQuery();
        return c; // disposing it rolls the empty transaction back and releases the lock
    }

    /// <summary>Runs <paramref name="sql"/> against the index from another connection: an edit by someone holding the files.</summary>
    public static void Exec(string indexPath, string sql)
    {
        using var c = new SqliteConnection($"Data Source={indexPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}

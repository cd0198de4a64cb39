using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Amber.Storage;
using Microsoft.Data.Sqlite;

namespace Amber.Benchmarks;

/// <summary>
/// The least index work a captured chat call needs, timed in the archive's own index tables: a conversation row,
/// a user and an assistant node, their two membership rows and their two full-text rows, many exchanges to a
/// transaction, without fsync. The archive does more per call (the raw blob, instances, keys, the commit's log
/// entry, models), so its cost per call can only be higher; the gateway's throughput target leaves a budget per
/// call that this floor can be set against (BENCHMARKS §7).
/// </summary>
public static class CaptureIndexFloor
{
    public const int Exchanges = 20_000;
    public const int PerTransaction = 100;

    public static (double TotalMicroseconds, double FullTextMicroseconds) Measure(string work)
    {
        var ids = Enumerable.Range(0, 3 * Exchanges)
            .Select(i => SHA256.HashData(BitConverter.GetBytes(i)))
            .ToArray();
        var total = double.MaxValue;
        var fullText = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            total = Math.Min(total, Run(work, ids, round, rows: true));
            fullText = Math.Min(fullText, Run(work, ids, round, rows: false));
        }

        return (total, fullText);
    }

    /// <summary>Microseconds per exchange: every row (<paramref name="rows"/>) or the full-text rows alone.</summary>
    private static double Run(string work, byte[][] ids, int round, bool rows)
    {
        var directory = Path.Combine(work, $"index-floor-{round}-{(rows ? "all" : "fts")}");
        var options = new ArchiveOptions { Directory = directory };
        Archive.Init(options).Dispose();
        var path = Path.Combine(directory, "index.db");
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        Exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
        // Index schema 5: ids as 32-byte BLOBs, rows keyed and linked by integer keys (here the id's position in ids).
        using var conversation = Prepare(c, "INSERT INTO conversations(k, id, format, source, source_id, title, created, updated, last_seq, segment, offset, entry_offset, entry_length) VALUES($k, $a, 'gateway', 'openai.chat', 'x', 'Say something', '2026-11-27T00:00:00.000Z', '2026-11-27T00:00:00.000Z', $s, 1, $s, 0, 100)", "$k", "$a", "$s");
        using var node = Prepare(c, "INSERT INTO nodes(k, id, parent, created, model, tier, segment, offset, entry_offset, entry_length) VALUES($k, $a, $b, NULL, NULL, 2, 1, $s, 0, 100)", "$k", "$a", "$b", "$s");
        using var member = Prepare(c, "INSERT INTO conversation_nodes(conversation, node, seq) VALUES($a, $b, $s)", "$a", "$b", "$s");
        using var text = Prepare(c, "INSERT INTO node_text(rowid, text) VALUES($b, $a)", "$b", "$a");
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < Exchanges; start += PerTransaction)
        {
            using var tx = c.BeginTransaction();
            foreach (var cmd in new[] { conversation, node, member, text })
            {
                cmd.Transaction = tx;
            }

            for (var i = start; i < start + PerTransaction; i++)
            {
                long conv = (3L * i) + 1, user = (3L * i) + 2, answer = (3L * i) + 3;
                if (rows)
                {
                    Run(conversation, conv, ids[conv - 1], i);
                    Run(node, user, ids[user - 1], null, i);
                    Run(node, answer, ids[answer - 1], user, i);
                    Run(member, conv, user, i);
                    Run(member, conv, answer, i);
                }

                Run(text, user, string.Create(CultureInfo.InvariantCulture, $"Say something about preservation (thread 1, call {i}, {i * 7919})."));
                Run(text, answer, "The gateway keeps every word.");
            }

            tx.Commit();
        }

        return clock.Elapsed.TotalMilliseconds * 1000 / Exchanges;
    }

    private static SqliteCommand Prepare(SqliteConnection c, string sql, params string[] names)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var name in names)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return cmd;
    }

    private static void Run(SqliteCommand cmd, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        cmd.ExecuteNonQuery();
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}

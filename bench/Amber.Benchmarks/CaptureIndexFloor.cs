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
            .Select(i => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i))))
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
    private static double Run(string work, string[] ids, int round, bool rows)
    {
        var directory = Path.Combine(work, $"index-floor-{round}-{(rows ? "all" : "fts")}");
        var options = new ArchiveOptions { Directory = directory };
        Archive.Init(options).Dispose();
        var path = Path.Combine(directory, "index.db");
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        Exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
        using var conversation = Prepare(c, "INSERT INTO conversations(id, format, source, source_id, title, created, updated, record, first_seq, last_seq) VALUES($a, 'gateway', 'openai.chat', $a, 'Say something', '2026-11-27T00:00:00.000Z', '2026-11-27T00:00:00.000Z', '{}', $s, $s)", "$a", "$s");
        using var node = Prepare(c, "INSERT INTO nodes(id, parent, role, created, model, tier, seq, segment, offset, entry_offset, entry_length) VALUES($a, $b, 'user', NULL, NULL, 2, $s, 1, $s, 0, 100)", "$a", "$b", "$s");
        using var member = Prepare(c, "INSERT INTO conversation_nodes(conversation, node, seq) VALUES($a, $b, $s)", "$a", "$b", "$s");
        using var text = Prepare(c, "INSERT INTO node_text(text, node) VALUES($a, $b)", "$a", "$b");
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
                string conv = ids[3 * i], user = ids[(3 * i) + 1], answer = ids[(3 * i) + 2];
                if (rows)
                {
                    Run(conversation, conv, i);
                    Run(node, user, null, i);
                    Run(node, answer, user, i);
                    Run(member, conv, user, i);
                    Run(member, conv, answer, i);
                }

                Run(text, string.Create(CultureInfo.InvariantCulture, $"Say something about preservation (thread 1, call {i}, {i * 7919})."), user);
                Run(text, "The gateway keeps every word.", answer);
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

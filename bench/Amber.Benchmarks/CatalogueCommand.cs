using System.Diagnostics;
using Amber.Cluster.Catalogue;
using Amber.Storage;
using Amber.Storage.Reading;
using Npgsql;

namespace Amber.Benchmarks;

/// <summary>
/// <c>catalogue</c>: the cluster archive's PostgreSQL catalogue (issue 14) against the embedded SQLite index, over
/// <c>../shared/corpus</c> imported into a fresh archive, in one run: the time to rebuild each from the segments, the
/// bytes each takes, and search latency (ranked and newest, p50/p95 over <c>--rounds</c> rounds of a fixed set of
/// words). Needs <c>AMBER_CATALOG</c> (what <c>eval "$(scripts/services up)"</c> sets).
/// </summary>
public static class CatalogueCommand
{
    private static readonly string[] Words = ["the", "python", "error", "function", "thanks", "database", "\"for example\"", "zebra"];

    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# catalogue\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        if (Environment.GetEnvironmentVariable("AMBER_CATALOG") is not { Length: > 0 } connection)
        {
            Console.WriteLine("\nAMBER_CATALOG is not set: start PostgreSQL with `eval \"$(scripts/services up)\"` and run again.");
            return 1;
        }

        var rounds = options.IntOption("--rounds", 20);
        var dir = Path.Combine(options.WorkDirectory, "catalogue-corpus");
        var files = Corpus.DataFiles(options.CorpusDirectory);
        using var archive = CorpusArchive.Import(dir, files);
        var stats = archive.GetStats();
        Console.WriteLine($"\n{files.Count} files, {stats.Conversations} conversations, {stats.Nodes} nodes; {rounds} rounds of {Words.Length} queries.\n");

        var clock = Stopwatch.StartNew();
        archive.RebuildIndex();
        var sqliteRebuild = clock.Elapsed.TotalSeconds;
        var sqliteBytes = new FileInfo(Path.Combine(dir, "index.db")).Length;

        var schema = "bench_" + Guid.NewGuid().ToString("N")[..8];
        var catalogue = PostgresCatalogue.Open(connection, schema);
        try
        {
            clock.Restart();
            catalogue.RebuildAsync(archive).GetAwaiter().GetResult();
            var pgRebuild = clock.Elapsed.TotalSeconds;
            var pgBytes = SchemaBytes(connection, schema);

            var t = new MarkdownTable("Catalogue", "rebuild s", "× SQLite", "bytes", "× SQLite");
            t.Add("SQLite index.db (baseline)", sqliteRebuild.ToString("F2"), "1.00", Fmt.Bytes(sqliteBytes), "1.00");
            t.Add("PostgreSQL (tables + indexes)", pgRebuild.ToString("F2"), (pgRebuild / sqliteRebuild).ToString("F2"), Fmt.Bytes(pgBytes), (pgBytes / (double)sqliteBytes).ToString("F2"));
            Console.WriteLine(t);

            var s = new MarkdownTable("Search (limit 50)", "p50 ms", "p95 ms", "× SQLite p95");
            foreach (var order in new[] { SearchOrder.Rank, SearchOrder.Newest })
            {
                var lite = Time(rounds, q => archive.Search(q, 50, order).Count);
                var pg = Time(rounds, q => catalogue.SearchAsync(q, 50, order).GetAwaiter().GetResult().Count);
                s.Add($"SQLite, {order} (baseline; with snippets)", lite.P50.ToString("F2"), lite.P95.ToString("F2"), "1.00");
                s.Add($"PostgreSQL, {order} (no snippets)", pg.P50.ToString("F2"), pg.P95.ToString("F2"), (pg.P95 / lite.P95).ToString("F2"));
            }

            Console.WriteLine(s);
        }
        finally
        {
            catalogue.DisposeAsync().AsTask().GetAwaiter().GetResult();
            DropSchema(connection, schema);
        }

        return 0;
    }

    private static (double P50, double P95) Time(int rounds, Func<string, int> search)
    {
        foreach (var w in Words)
        {
            search(w); // warm: the first query of each word pays for the plan and the pages
        }

        var ms = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            foreach (var w in Words)
            {
                var t = Stopwatch.GetTimestamp();
                search(w);
                ms.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }

        ms.Sort();
        return (ms[ms.Count / 2], ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(ms.Count * 0.95) - 1)]);
    }

    private static long SchemaBytes(string connection, string schema)
    {
        using var c = new NpgsqlConnection(connection);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT coalesce(sum(pg_total_relation_size(oid)), 0)::bigint FROM pg_class WHERE relnamespace = @schema::regnamespace AND relkind IN ('r', 'm')";
        cmd.Parameters.AddWithValue("schema", schema);
        return (long)cmd.ExecuteScalar()!;
    }

    private static void DropSchema(string connection, string schema)
    {
        using var c = new NpgsqlConnection(connection);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE";
        cmd.ExecuteNonQuery();
    }
}

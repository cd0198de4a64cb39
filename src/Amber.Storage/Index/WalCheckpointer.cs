using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// Checkpoints the index's write-ahead log from its own connection and thread, so the writer's commits never
/// pay for it. It looks at the WAL's size every <see cref="Interval"/> and runs a PASSIVE checkpoint (which
/// never blocks the writer or readers) once the WAL exceeds <see cref="Threshold"/> bytes. The writer's connection
/// sets <c>journal_size_limit</c> to the same size, so the file shrinks back when the WAL restarts. A checkpoint
/// that fails is retried at the next interval; the first failure of a run of failures is reported, since the
/// WAL then keeps growing.
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    public const long Threshold = 4 << 20;
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    private readonly string walPath;
    private readonly Action<string>? log;
    private readonly SqliteConnection connection;
    private readonly ManualResetEventSlim stop = new();
    private readonly Thread thread;

    public WalCheckpointer(string connectionString, string walPath, Action<string>? log)
    {
        this.walPath = walPath;
        this.log = log;
        connection = new SqliteConnection(connectionString);
        connection.Open();
        thread = new Thread(Run) { IsBackground = true, Name = "amber-index-checkpoint" };
        thread.Start();
    }

    private void Run()
    {
        var failing = false;
        while (!stop.Wait(Interval))
        {
            try
            {
                var wal = new FileInfo(walPath);
                if (wal.Exists && wal.Length > Threshold)
                {
                    using var cmd = connection.CreateCommand();
                    cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                    cmd.ExecuteNonQuery();
                }

                failing = false;
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                // Retried at the next interval; the WAL keeps every commit meanwhile, but grows until a checkpoint succeeds.
                if (!failing)
                {
                    log?.Invoke($"index WAL checkpoint failed ({e.Message}); retrying every {Interval.TotalMilliseconds:0} ms, and {walPath} grows until it succeeds");
                }

                failing = true;
            }
        }
    }

    public void Dispose()
    {
        stop.Set();
        thread.Join();
        connection.Dispose();
        stop.Dispose();
    }
}

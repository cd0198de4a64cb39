using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// Checkpoints the index's write-ahead log from its own connection and thread, so the writer's commits never
/// pay for it. It looks at the WAL's size every <see cref="Interval"/> and runs a PASSIVE checkpoint (which
/// never blocks the writer or readers) once the WAL exceeds <see cref="Threshold"/> bytes.
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    public const long Threshold = 4 << 20;
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    private readonly string walPath;
    private readonly SqliteConnection connection;
    private readonly ManualResetEventSlim stop = new();
    private readonly Thread thread;

    public WalCheckpointer(string connectionString, string walPath)
    {
        this.walPath = walPath;
        connection = new SqliteConnection(connectionString);
        connection.Open();
        thread = new Thread(Run) { IsBackground = true, Name = "amber-index-checkpoint" };
        thread.Start();
    }

    private void Run()
    {
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
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                // A busy or failing checkpoint is retried at the next interval; the WAL keeps every commit meanwhile.
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

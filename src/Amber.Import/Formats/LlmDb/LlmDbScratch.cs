using System.Collections.Concurrent;

namespace Amber.Import.Formats.LlmDb;

/// <summary>
/// Where a logs.db held in a zip is copied for SQLite to open: a private folder (mode 0700) made once per process,
/// holding a few reused file names. A fresh random name per file made a new connection string each time, and
/// Microsoft.Data.Sqlite keeps a pool group per connection string for the life of the process (even unpooled) and
/// prunes them on a timer in time quadratic in their number: after about half a million such files one process
/// stalled for minutes inside <c>SqliteConnection</c> (found by fuzzing, docs/RELIABILITY.md). Reused names keep the
/// connection strings as few as the files read at once.
/// </summary>
internal static class LlmDbScratch
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("amber-llm-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Another thread may still be reading a copy; the temp folder's owner cleans up what is left.
            }
        };
        return folder;
    });

    private static readonly ConcurrentBag<int> Free = [];
    private static int slots;

    /// <summary>A path in the private folder no other reader holds until <see cref="Return"/>.</summary>
    public static (string Path, int Slot) Rent()
    {
        if (!Free.TryTake(out var slot))
        {
            slot = Interlocked.Increment(ref slots);
        }

        return (Path.Combine(Folder.Value, $"{slot}.db"), slot);
    }

    /// <summary>Deletes the copy and frees its name.</summary>
    public static void Return(string path, int slot)
    {
        File.Delete(path);
        Free.Add(slot);
    }
}

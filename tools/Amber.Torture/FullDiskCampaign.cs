using System.Diagnostics;
using System.Globalization;

namespace Amber.Torture;

/// <summary>
/// A full disk: a tmpfs mounted with a size cap (needs root: `mount -t tmpfs -o size=…`), filled with a filler file to leave
/// a random amount of space, then an import and an index rebuild run into ENOSPC. Each must fail with a clear one-line
/// error (no stack trace) or succeed; after the filler is deleted the archive opens, verifies, holds every acknowledged
/// conversation and no half one, and the same import run again completes (the archive resumes).
/// </summary>
public static class FullDiskCampaign
{
    internal const int SizeMiB = 48;

    public static Tally Run(CampaignSettings s)
    {
        var tally = new Tally("full-disk");
        var input = Inputs.LargeFile;
        var reference = Reference(s, input);
        var mount = Path.Combine(s.Work, "small-disk");
        Directory.CreateDirectory(mount);
        Mount(mount);
        try
        {
            var rng = new Random(s.Seed);
            var clock = Stopwatch.StartNew();
            var enospc = 0;
            for (var trial = 0; trial < s.Trials && s.TimeLeft(clock); trial++)
            {
                tally.Trials++;
                Clear(mount);

                var dir = Path.Combine(mount, "archive");
                var filler = Path.Combine(mount, "filler");

                // Half the trials fill the disk during the import; the other half import with room, then fill it and rebuild the index.
                var rebuild = trial % 2 == 1;
                if (rebuild)
                {
                    AmberChild.Must(dir, ["import", .. input]);
                    tally.Acknowledged += reference.Count;
                }

                Fill(filler, mount, free: rng.Next(0, rebuild ? 6 << 20 : 10 << 20));
                var run = AmberChild.Run(dir, rebuild ? ["index", "rebuild"] : ["import", .. input], timeout: TimeSpan.FromMinutes(5));
                var fullNow = run.ExitCode != 0;
                if (fullNow)
                {
                    enospc++;
                    Judge(run, tally, trial);
                }
                else if (!rebuild)
                {
                    tally.Acknowledged += reference.Count;
                }

                File.Delete(filler);
                if (!File.Exists(Path.Combine(dir, "archive.json")))
                {
                    continue; // the disk was full before the archive could be created; nothing was acknowledged
                }

                var acknowledged = rebuild || !fullNow ? reference.Keys : Enumerable.Empty<string>();
                if (ArchiveAudit.Check(dir, tally, trial) is { } held)
                {
                    ArchiveAudit.Compare(held, reference, acknowledged, tally, trial);
                }

                // Space is back: the same import completes and everything is there.
                var again = AmberChild.Run(dir, ["import", .. input], timeout: TimeSpan.FromMinutes(5));
                if (again.ExitCode != 0)
                {
                    tally.Loss(trial, $"with space freed the import does not resume: {again.Error.Trim()}");
                }
                else if (ArchiveAudit.Check(dir, tally, trial) is { } after)
                {
                    ArchiveAudit.Compare(after, reference, reference.Keys, tally, trial);
                }

                s.Log.WriteLine($"full-disk trial {trial}: {(rebuild ? "rebuild" : "import")} {(fullNow ? "hit ENOSPC" : "fit")}");
            }

            tally.Detected = enospc;
            tally.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{enospc} run(s) hit ENOSPC on a {SizeMiB} MiB tmpfs; each failed with a one-line error naming the full disk"));
        }
        finally
        {
            Unmount(mount, tally);
        }

        return tally;
    }

    /// <summary>Empties the small disk for the next trial.</summary>
    internal static void Clear(string mount)
    {
        foreach (var entry in Directory.GetFileSystemEntries(mount))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }

    internal static void Unmount(string mount, Tally tally)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // pooled index connections would keep the mount busy
        if (Run("umount", mount) is { Code: not 0 } failed)
        {
            tally.Notes.Add($"could not unmount {mount}: {failed.Error.Trim()}");
        }
    }

    /// <summary>A failed run on a full disk must say so in one line, not crash with a stack trace.</summary>
    private static void Judge(AmberChild.Outcome run, Tally tally, int trial)
    {
        var error = run.Error.Trim();
        if (error.Contains("   at ", StringComparison.Ordinal) || error.Contains("Unhandled exception", StringComparison.Ordinal))
        {
            tally.Loss(trial, $"ENOSPC crashed the process instead of a clear error: {error[..Math.Min(600, error.Length)]}");
        }
        else if (!error.Contains("space", StringComparison.OrdinalIgnoreCase))
        {
            tally.Loss(trial, $"the error on a full disk does not say the disk is full: {error}");
        }
    }

    private static Dictionary<string, int> Reference(CampaignSettings s, string[] input)
    {
        var dir = Path.Combine(s.Work, "ref-full-disk");
        ArchiveAudit.Delete(dir);
        AmberChild.Must(dir, ["import", .. input]);
        using var archive = Amber.Storage.Archive.Open(new Amber.Storage.ArchiveOptions { KeyProvider = CampaignKeys.Provider, Directory = dir, ReadOnly = true });
        return ArchiveAudit.Snapshot(archive);
    }

    /// <summary>Writes a filler file until the disk has about <paramref name="free"/> bytes left.</summary>
    internal static void Fill(string filler, string mount, long free)
    {
        var available = new DriveInfo(mount).AvailableFreeSpace;
        var size = Math.Max(0, available - free);
        using var f = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1); // unbuffered: nothing left to flush at a full disk
        var chunk = new byte[1 << 20];
        for (long written = 0; written < size;)
        {
            var n = (int)Math.Min(chunk.Length, size - written);
            try
            {
                f.Write(chunk, 0, n);
            }
            catch (IOException) when (new DriveInfo(mount).AvailableFreeSpace < n)
            {
                // The archive wrote meanwhile (a background refill of its keys made ahead, an index checkpoint) and took
                // what was to be left free: the disk is full, which is what the filler is for.
                return;
            }

            written += n;
        }
    }

    internal static void Mount(string mount)
    {
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={SizeMiB}m", "tmpfs", mount);
        if (code != 0)
        {
            throw new InvalidOperationException($"full-disk needs a small filesystem: mounting a {SizeMiB} MiB tmpfs at {mount} failed ({error.Trim()}); run as root.");
        }
    }

    internal static (int Code, string Error) Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, error);
    }
}

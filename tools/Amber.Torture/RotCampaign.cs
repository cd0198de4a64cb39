using System.Diagnostics;
using System.Globalization;
using Amber.Storage;
using Amber.Storage.Verification;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Torture;

/// <summary>
/// Rot: random single-bit flips, truncations and zeroed 4 KiB pages in every file kind of an archive, each followed by
/// what `amber verify` does (open, recovering, then verify). A change to a byte verify is responsible for must be detected
/// and named (file, and offset for segments); verify must never crash. The index is derived: damage there is either found
/// by verify's audit (and `amber index rebuild` then mends it, which the campaign checks) or leaves its content whole.
/// </summary>
public static class RotCampaign
{
    /// <summary>The archive's own folders are its owner's only; a copy made otherwise would be "tightened" on open.</summary>
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public enum Mutation
    {
        BitFlip,
        Truncate,
        ZeroPage,
    }

    public static Tally Run(CampaignSettings s)
    {
        var tally = new Tally("rot");
        var pristine = Path.Combine(s.Work, "rot-pristine");
        var work = Path.Combine(s.Work, "rot");
        Build(pristine);
        Sync(pristine, work);
        var files = Directory.GetFiles(work, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(work, f))
            .Where(f => KindOf(f) is not null)
            .ToList();
        var kinds = files.GroupBy(f => KindOf(f)!).ToDictionary(g => g.Key, g => g.ToList());
        var kindNames = kinds.Keys.Order(StringComparer.Ordinal).ToList();
        var perKind = kindNames.ToDictionary(k => k, _ => new int[4], StringComparer.Ordinal); // trials, detected, benign, named
        var rng = new Random(s.Seed);
        var clock = Stopwatch.StartNew();
        for (var trial = 0; trial < s.Trials && s.TimeLeft(clock); trial++)
        {
            var kind = kindNames[trial % kindNames.Count];
            var file = kinds[kind][rng.Next(kinds[kind].Count)];
            var mutation = (Mutation)rng.Next(3);
            var path = Path.Combine(work, file);
            var before = File.ReadAllBytes(path);
            var (after, offset) = Mutate(before, mutation, rng);
            tally.Trials++;
            if (after.AsSpan().SequenceEqual(before))
            {
                continue; // a zeroed page that was zero already, or a truncation to the same length: nothing changed
            }

            perKind[kind][0]++;
            File.WriteAllBytes(path, after);
            var what = $"{mutation} of {file} at offset {offset}";
            var (detected, faults, notes) = Verify(work, tally, trial, what);
            if (detected)
            {
                perKind[kind][1]++;
                tally.Detected++;
                if (Names(faults, file))
                {
                    perKind[kind][3]++;
                }
                else
                {
                    tally.Loss(trial, $"{what}: detected, but no fault names the file: {string.Join(" | ", faults.Take(3))}");
                }

                if (kind == "index")
                {
                    Mend(work, tally, trial, what);
                }
            }
            else if (kind == "key" && System.Text.Encoding.UTF8.GetString(before).Trim() == System.Text.Encoding.UTF8.GetString(after).Trim())
            {
                perKind[kind][2]++; // only the trailing whitespace changed, which the key's reader trims
            }
            else if (kind == "manifest" && SameManifest(before, after))
            {
                perKind[kind][2]++; // only the informational "created" changed: nothing reads or checks it
            }
            else if (kind == "index")
            {
                perKind[kind][2]++; // verify's audit found the index's content whole: the change hit bytes SQLite does not use
            }
            else if (kind == "blob" && notes.Any(n => n.Contains(file, StringComparison.Ordinal) && n.Contains("still decodes to the content its id names", StringComparison.Ordinal)))
            {
                perKind[kind][2]++; // bits zstd does not use: the content is intact, and verify named the changed file in a note
            }
            else
            {
                tally.Loss(trial, $"{what}: not detected by verify");
            }

            Sync(pristine, work);
            if ((trial + 1) % 100 == 0)
            {
                s.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rot trial {trial + 1}: {tally.Detected} detected, {clock.Elapsed.TotalSeconds:0} s"));
            }
        }

        foreach (var kind in kindNames)
        {
            var k = perKind[kind];
            tally.Notes.Add($"{kind}: {k[0]} changed, {k[1]} detected ({k[3]} naming the file), {k[2]} changed no byte verify is responsible for");
        }

        return tally;
    }

    /// <summary>The kind of an archive file, or null for files with no content (the lock files).</summary>
    public static string? KindOf(string relative)
    {
        var name = Path.GetFileName(relative);
        var top = relative.Split(Path.DirectorySeparatorChar)[0];
        return (top, name) switch
        {
            (_, "amber.lock" or "readers.lock") => null,
            (_, "verify.memo") => null, // derived: a damaged memo is ignored (noted) and costs one full verify
            _ when name.EndsWith("-wal", StringComparison.Ordinal) || name.EndsWith("-shm", StringComparison.Ordinal) => null, // SQLite's, gone at close
            ("segments", _) => "segment",
            ("blobs", _) => "blob",
            ("log", "signing.key" or "vkey") => "key",
            ("log", _) => "log",
            (_, "writer.chk") => "checkpoint",
            (_, "archive.json") => "manifest",
            _ when name.StartsWith("index.db", StringComparison.Ordinal) => "index",
            _ => "other",
        };
    }

    public static (byte[] After, long Offset) Mutate(byte[] before, Mutation mutation, Random rng)
    {
        var after = (byte[])before.Clone();
        switch (mutation)
        {
            case Mutation.BitFlip when before.Length > 0:
                var at = rng.Next(before.Length);
                after[at] ^= (byte)(1 << rng.Next(8));
                return (after, at);
            case Mutation.Truncate when before.Length > 0:
                var length = rng.Next(before.Length);
                return (after[..length], length);
            case Mutation.ZeroPage when before.Length > 0:
                var page = rng.Next((before.Length + 4095) / 4096) * 4096;
                Array.Clear(after, page, Math.Min(4096, before.Length - page));
                return (after, page);
            default:
                return (after, 0);
        }
    }

    /// <summary>A writer's open (its recovery reports what it mended), then verify; a fault, a recovery action or a refusal to open is a detection. (`amber verify` opens only to verify, without recovery.)</summary>
    private static (bool Detected, List<string> Faults, List<string> Notes) Verify(string dir, Tally tally, int trial, string what)
    {
        try
        {
            using var archive = Archive.Open(new ArchiveOptions { KeyProvider = CampaignKeys.Provider, Directory = dir });
            var report = ArchiveVerifier.Verify(archive);

            // What recovery mended on the way in (a damaged writer.chk or index) is reported by verify as "recovered: …".
            return (!report.Ok || report.Recovery.Count > 0, [.. report.Faults, .. report.Recovery], report.Notes);
        }
        catch (CorruptArchiveException e)
        {
            return (true, [e.Message], []);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or FormatException or System.Text.Json.JsonException or Microsoft.Data.Sqlite.SqliteException)
        {
            // A clear refusal to open, naming what is wrong, still tells the user: counted as detected if it names the file.
            return (true, [$"{e.GetType().Name}: {e.Message} {e.StackTrace}"], []);
        }
        catch (Exception e)
        {
            tally.Loss(trial, $"{what}: verify crashed: {e}");
            return (true, [], []);
        }
        finally
        {
            SqliteConnection.ClearAllPools(); // pooled connections would keep the index open (and checkpoint it) after the copy is replaced
        }
    }

    private static bool Names(List<string> faults, string file)
    {
        var name = Path.GetFileName(file);
        var hex = file.StartsWith("blobs", StringComparison.Ordinal) ? Path.GetFileName(Path.GetDirectoryName(file)) + name[..^4] : null;
        return faults.Any(f => f.Contains(name, StringComparison.Ordinal) || (hex is not null && f.Contains(hex, StringComparison.Ordinal))
            || (file.StartsWith("index.db", StringComparison.Ordinal) && f.Contains("index", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>Whether archive.json still says the same archive id, format and version (the fields anything reads).</summary>
    private static bool SameManifest(byte[] before, byte[] after)
    {
        try
        {
            var a = System.Text.Json.Nodes.JsonNode.Parse(before)!;
            var b = System.Text.Json.Nodes.JsonNode.Parse(after);
            return b is System.Text.Json.Nodes.JsonObject
                && new[] { "archive_id", "format", "version" }.All(k => System.Text.Json.Nodes.JsonNode.DeepEquals(a[k], b[k]));
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>Index damage is derived-state damage: `amber index rebuild` (a real amber process) must mend it so that verify passes (with nothing left to recover).</summary>
    private static void Mend(string dir, Tally tally, int trial, string what)
    {
        var rebuild = AmberChild.Run(dir, ["index", "rebuild"], timeout: TimeSpan.FromMinutes(2));
        if (rebuild.ExitCode != 0)
        {
            tally.Loss(trial, $"{what}: amber index rebuild did not mend it: {rebuild.Error.Trim()}");
            return;
        }

        // Then verify as `amber verify` does (it exits 0 on a passing report), in this process: a child's start-up would
        // double the cost of every index trial.
        try
        {
            using var archive = Archive.Open(new ArchiveOptions { KeyProvider = CampaignKeys.Provider, Directory = dir });
            var report = ArchiveVerifier.Verify(archive);
            if (!report.Ok)
            {
                tally.Loss(trial, $"{what}: after amber index rebuild, verify still fails: {string.Join(" | ", report.Faults.Take(3))}");
            }
        }
        catch (Exception e) when (e is CorruptArchiveException or IOException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            tally.Loss(trial, $"{what}: after amber index rebuild, the archive does not open: {e.Message}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>Makes <paramref name="work"/> an exact copy of <paramref name="pristine"/> (files an open added are removed).</summary>
    private static void Sync(string pristine, string work)
    {
        ArchiveAudit.Delete(work);
        foreach (var file in Directory.GetFiles(pristine, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(work, Path.GetRelativePath(pristine, file));
            Directory.CreateDirectory(work, OwnerOnly);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!, OwnerOnly);
            File.Copy(file, to);
        }
    }

    /// <summary>A small archive with every file kind: several sealed segments, external blobs, annotations, log and index.</summary>
    internal static void Build(string dir)
    {
        ArchiveAudit.Delete(dir);
        using var archive = Archive.Open(new ArchiveOptions
        {
            Directory = dir,
            CreateIfMissing = true,
            SegmentSize = 48 << 10,
            ExternalBlobThreshold = 2 << 10,
            DictionaryTrainingCommits = 8,
            DictionaryTrainingBytes = 8 << 10,
        });
        for (var i = 0; i < 24; i++)
        {
            var (batch, _, leaves) = SampleConversations.Create(i, turns: 3, branches: 2, withAttachment: true);
            if (i % 4 == 0)
            {
                var big = new byte[3000 + (i * 100)];
                new Random(i).NextBytes(big);
                batch.AddBlob(big);
            }

            archive.Commit(batch);
        }

        archive.Dispose();
        SqliteConnection.ClearAllPools(); // the pristine copy is final only once SQLite has closed the index

        // A verify writes verify.memo: every trial then verifies with a memo present, so damage must be found through it.
        using (var verified = Archive.Open(new ArchiveOptions { KeyProvider = CampaignKeys.Provider, Directory = dir }))
        {
            ArchiveVerifier.Verify(verified);
        }

        SqliteConnection.ClearAllPools();
    }
}

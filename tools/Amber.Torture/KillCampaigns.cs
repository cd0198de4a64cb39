using System.Diagnostics;
using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Torture;

/// <summary>
/// SIGKILL campaigns: a real amber process killed at a random moment of its run, then the archive opened (recovering),
/// verified, and checked for every acknowledged item and for no half-present commit.
/// </summary>
public static class KillCampaigns
{
    /// <summary>Imports of a large file and of many small files into a fresh archive each trial; an import that exited 0 acknowledged all its conversations.</summary>
    public static Tally Import(CampaignSettings s)
    {
        var tally = new Tally("kill-import");
        var inputs = new[] { ("large file", Inputs.LargeFile), ("many small files", Inputs.SmallFiles) };
        var references = inputs.Select((input, i) => Reference(s, $"ref-{i}", input.Item2)).ToArray();
        var rng = new Random(s.Seed);
        var clock = Stopwatch.StartNew();
        for (var trial = 0; trial < s.Trials && s.TimeLeft(clock); trial++)
        {
            var which = trial % inputs.Length;
            var (reference, duration) = references[which];
            var dir = Path.Combine(s.Work, "import");
            ArchiveAudit.Delete(dir);
            var outcome = AmberChild.Run(dir, ["import", .. inputs[which].Item2], killAfter: RandomMoment(rng, duration));
            Count(tally, outcome, trial, s);
            tally.Trials++;
            if (!File.Exists(Path.Combine(dir, "archive.json")))
            {
                continue; // killed before the archive existed: nothing was acknowledged
            }

            var held = ArchiveAudit.Check(dir, tally, trial);
            var acknowledged = outcome.ExitCode == 0 ? reference.Keys : Enumerable.Empty<string>();
            if (outcome.ExitCode == 0)
            {
                tally.Acknowledged += reference.Count;
            }

            if (held is not null)
            {
                ArchiveAudit.Compare(held, reference, acknowledged, tally, trial);
            }
        }

        return tally;
    }

    /// <summary>`amber mark` (an annotation written through the log) killed at random; a mark that exited 0 must be there.</summary>
    public static Tally Annotate(CampaignSettings s)
    {
        var tally = new Tally("kill-annotate");
        var dir = Path.Combine(s.Work, "annotate");
        ArchiveAudit.Delete(dir);
        AmberChild.Must(dir, ["import", .. Inputs.Small]);
        List<string> leaves;
        using (var archive = Archive.Open(new ArchiveOptions { KeyProvider = CampaignKeys.Provider, Directory = dir, ReadOnly = true }))
        {
            leaves = archive.ListInstances(1_000).Select(i => i.Id).ToList();
        }

        var duration = Timed(() => AmberChild.Must(dir, "mark", leaves[0], "--rest", "--reason", "reference"));
        var acknowledged = new List<(string Leaf, string Reason)>();
        var rng = new Random(s.Seed);
        var clock = Stopwatch.StartNew();
        for (var trial = 0; trial < s.Trials && s.TimeLeft(clock); trial++)
        {
            var leaf = leaves[rng.Next(leaves.Count)];
            var reason = $"trial {trial}";
            var outcome = AmberChild.Run(dir, ["mark", leaf, "--rest", "--reason", reason], killAfter: RandomMoment(rng, duration));
            Count(tally, outcome, trial, s);
            tally.Trials++;
            if (outcome.ExitCode == 0)
            {
                acknowledged.Add((leaf, reason));
                tally.Acknowledged++;
            }

            ArchiveAudit.Check(dir, tally, trial, archive =>
            {
                foreach (var (l, r) in acknowledged)
                {
                    if (!archive.GetAnnotations(l).Any(a => a.Kind == Annotation.Rest && a.Reason == r))
                    {
                        tally.Loss(trial, $"acknowledged mark \"{r}\" on {l} is missing");
                    }
                }
            });
        }

        return tally;
    }

    /// <summary>`amber index rebuild` killed at random: the index is derived, so the next open must rebuild or resume it and hold everything.</summary>
    public static Tally Rebuild(CampaignSettings s)
    {
        var tally = new Tally("kill-rebuild");
        var dir = Path.Combine(s.Work, "rebuild");
        ArchiveAudit.Delete(dir);
        AmberChild.Must(dir, ["import", .. Inputs.Small]);
        Dictionary<string, int> reference;
        using (var archive = Archive.Open(new ArchiveOptions { KeyProvider = CampaignKeys.Provider, Directory = dir, ReadOnly = true }))
        {
            reference = ArchiveAudit.Snapshot(archive);
        }

        var duration = Timed(() => AmberChild.Must(dir, "index", "rebuild"));
        var rng = new Random(s.Seed);
        var clock = Stopwatch.StartNew();
        for (var trial = 0; trial < s.Trials && s.TimeLeft(clock); trial++)
        {
            var outcome = AmberChild.Run(dir, ["index", "rebuild"], killAfter: RandomMoment(rng, duration));
            Count(tally, outcome, trial, s);
            tally.Trials++;
            tally.Acknowledged += reference.Count;
            if (ArchiveAudit.Check(dir, tally, trial) is { } held)
            {
                ArchiveAudit.Compare(held, reference, reference.Keys, tally, trial);
                if (held.Count != reference.Count)
                {
                    tally.Loss(trial, $"the index lists {held.Count} conversations, the archive holds {reference.Count}");
                }
            }
        }

        return tally;
    }

    /// <summary>An import killed at random, then the next process (`amber ls`, which recovers the archive) killed during its recovery too.</summary>
    public static Tally Recovery(CampaignSettings s)
    {
        var tally = new Tally("kill-recovery");
        var input = Inputs.SmallFiles;
        var (reference, duration) = Reference(s, "ref-recovery", input);
        var open = Timed(() => AmberChild.Must(Path.Combine(s.Work, "ref-recovery"), "ls"));
        var rng = new Random(s.Seed);
        var clock = Stopwatch.StartNew();
        for (var trial = 0; trial < s.Trials && s.TimeLeft(clock); trial++)
        {
            var dir = Path.Combine(s.Work, "recovery");
            ArchiveAudit.Delete(dir);
            var first = AmberChild.Run(dir, ["import", .. input], killAfter: RandomMoment(rng, duration));
            tally.Trials++;
            if (!File.Exists(Path.Combine(dir, "archive.json")))
            {
                continue;
            }

            var second = AmberChild.Run(dir, ["ls"], killAfter: RandomMoment(rng, open));
            Count(tally, first, trial, s);
            Count(tally, second, trial, s);
            if (first.ExitCode == 0)
            {
                tally.Acknowledged += reference.Count;
            }

            if (ArchiveAudit.Check(dir, tally, trial) is { } held)
            {
                ArchiveAudit.Compare(held, reference, first.ExitCode == 0 ? reference.Keys : [], tally, trial);
            }
        }

        return tally;
    }

    /// <summary>What a whole run of the input holds, and how long it took (kills are spread over that span).</summary>
    private static (Dictionary<string, int> Reference, TimeSpan Duration) Reference(CampaignSettings s, string name, string[] input)
    {
        var dir = Path.Combine(s.Work, name);
        ArchiveAudit.Delete(dir);
        var duration = Timed(() => AmberChild.Must(dir, ["import", .. input]));
        using var archive = Archive.Open(new ArchiveOptions { KeyProvider = CampaignKeys.Provider, Directory = dir, ReadOnly = true });
        return (ArchiveAudit.Snapshot(archive), duration);
    }

    internal static TimeSpan Timed(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed;
    }

    /// <summary>A moment from a fifth into the run (past most of the runtime's start) to a little after a whole run takes.</summary>
    internal static TimeSpan RandomMoment(Random rng, TimeSpan whole) => whole * (0.2 + (rng.NextDouble() * 1.0));

    private static void Count(Tally tally, AmberChild.Outcome outcome, int trial, CampaignSettings s)
    {
        if (outcome.Killed)
        {
            tally.Kills++;
        }
        else if (outcome.ExitCode != 0)
        {
            tally.Loss(trial, $"the child failed without being killed (exit {outcome.ExitCode}): {outcome.Error.Trim()}");
        }

        s.Log.WriteLine($"{tally.Campaign} trial {trial}: {(outcome.Killed ? "killed" : $"exited {outcome.ExitCode}")}");
    }
}

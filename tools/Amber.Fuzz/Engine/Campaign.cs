using System.Diagnostics;
using System.Security.Cryptography;

namespace Amber.Fuzz.Engine;

/// <summary>
/// Runs one target on mutants of its seeds until the count or the time is reached. Mutants the parser accepts join
/// the pool (bounded), so later mutants start from inputs that already get past its first checks. A watchdog thread
/// counts an input that runs past the hang limit; the resident set is sampled to catch unbounded memory.
/// </summary>
public static class Campaign
{
    private const int PoolLimit = 512;

    public static Tally Run(IFuzzTarget target, CampaignOptions options, Action<Tally>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var tally = new Tally(target.Name);
        var random = new Random(options.Seed);
        var mutator = new Mutator(random);
        var seeds = target.Seeds;
        if (seeds.Count == 0)
        {
            throw new InvalidOperationException($"{target.Name}: no seed inputs.");
        }

        var pool = new List<byte[]>(seeds);
        var clock = Stopwatch.StartNew();
        var current = new Current();
        using var stop = new CancellationTokenSource();
        var watchdog = new Thread(() => Watch(current, clock, options, tally, stop.Token)) { IsBackground = true, Name = "fuzz watchdog" };
        watchdog.Start();
        try
        {
            var lastProgress = TimeSpan.Zero;
            for (long i = 0; i < options.Inputs && clock.Elapsed < options.Duration; i++)
            {
                // Every seed runs once unmutated first: the target must accept its own seeds.
                var input = i < seeds.Count ? seeds[(int)i] : mutator.Mutate(pool[random.Next(pool.Count)], pool[random.Next(pool.Count)]);
                current.Begin(input, clock.Elapsed);
                try
                {
                    var verdict = target.Run(input);
                    if (verdict == Verdict.Accepted)
                    {
                        tally.Accepted++;
                        if (i >= seeds.Count && input.Length <= 1 << 20)
                        {
                            if (pool.Count < PoolLimit)
                            {
                                pool.Add(input);
                            }
                            else
                            {
                                pool[seeds.Count + random.Next(PoolLimit - seeds.Count)] = input;
                            }
                        }
                    }
                    else
                    {
                        tally.Rejected++;
                    }
                }
#pragma warning disable CA1031 // a crash is anything the parser lets escape: it is counted, saved and the campaign goes on
                catch (Exception e)
#pragma warning restore CA1031
                {
                    lock (tally)
                    {
                        tally.Crashes++;
                        var frame = new StackTrace(e, fNeedFileInfo: false).GetFrames().FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("Amber", StringComparison.Ordinal) == true);
                        var where = frame?.GetMethod() is { } m ? $"{m.DeclaringType?.FullName}.{m.Name}" : "?";
                        tally.CrashKinds.TryAdd($"{e.GetType().FullName} at {where}", Flatten(e.Message));
                    }

                    Save(options, target.Name, "crash", input);
                }

                var took = current.End(clock.Elapsed);
                if (took > tally.Slowest)
                {
                    tally.Slowest = took;
                }

                tally.Inputs++;
                tally.InputBytes += input.Length;
                if ((i & 1023) == 0)
                {
                    SampleMemory(options, tally);
                }

                if (progress is not null && clock.Elapsed - lastProgress > TimeSpan.FromSeconds(10))
                {
                    lastProgress = clock.Elapsed;
                    tally.Elapsed = clock.Elapsed;
                    progress(tally);
                }
            }
        }
        finally
        {
            stop.Cancel();
            watchdog.Join();
        }

        SampleMemory(options, tally);
        tally.Elapsed = clock.Elapsed;
        return tally;
    }

    private static string Flatten(string message) => message.Length > 300 ? message[..300] + "…" : message.ReplaceLineEndings(" ");

    private static void SampleMemory(CampaignOptions options, Tally tally)
    {
        using var self = Process.GetCurrentProcess();
        var rss = self.WorkingSet64;
        lock (tally)
        {
            tally.PeakRssBytes = Math.Max(tally.PeakRssBytes, Math.Max(rss, self.PeakWorkingSet64));
            if (rss > options.MemoryLimitBytes)
            {
                tally.MemoryOverruns++;
            }
        }
    }

    private static void Watch(Current current, Stopwatch clock, CampaignOptions options, Tally tally, CancellationToken stop)
    {
        byte[]? reported = null;
        while (!stop.WaitHandle.WaitOne(50))
        {
            var (input, started) = current.Peek();
            if (input is not null && !ReferenceEquals(input, reported) && clock.Elapsed - started > options.HangLimit)
            {
                reported = input;
                lock (tally)
                {
                    tally.Hangs++;
                }

                Save(options, tally.Target, "hang", input);
            }
        }
    }

    private static void Save(CampaignOptions options, string target, string kind, byte[] input)
    {
        if (options.FindingsDirectory is not { } root)
        {
            return;
        }

        var folder = Path.Combine(root, target);
        Directory.CreateDirectory(folder);
        var name = $"{kind}-{Convert.ToHexStringLower(SHA256.HashData(input))[..16]}.bin";
        File.WriteAllBytes(Path.Combine(folder, name), input);
    }

    /// <summary>The input in flight and when it started, on the campaign's clock.</summary>
    private sealed class Current
    {
        private readonly Lock gate = new();
        private byte[]? input;
        private TimeSpan started;

        public void Begin(byte[] value, TimeSpan at)
        {
            lock (gate)
            {
                input = value;
                started = at;
            }
        }

        public TimeSpan End(TimeSpan at)
        {
            lock (gate)
            {
                input = null;
                return at - started;
            }
        }

        public (byte[]? Input, TimeSpan Started) Peek()
        {
            lock (gate)
            {
                return (input, started);
            }
        }
    }
}

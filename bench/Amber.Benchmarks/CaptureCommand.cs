using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amber.Capture;
using Amber.Proxy;
using Amber.Proxy.Exchanges;
using Amber.Storage;
using Amber.Storage.FileSystem;

namespace Amber.Benchmarks;

/// <summary>
/// <c>capture</c>: the gateway's durable capture path (<see cref="ArchiveSink"/> → <see cref="ConversationRecorder"/> →
/// archive commit) driven in this process at a fixed rate, without HTTP, wrk or a fake upstream, so that what the
/// archive costs a streamed chat call can be told apart from the noise of the whole gateway benchmark (§7). The
/// baseline, in the same run and at the same rate, is the least any durable capture must do: append the exchange's
/// bytes to a file and fsync them. Where <c>/dev/shm</c> exists, a diagnostic run puts the index there, to show how
/// much of the capture's fsync tail comes from the index's own writes to the same disk.
/// </summary>
public static class CaptureCommand
{
    private const int WarmUpExchanges = 3000;
    private const int WarmUpConcurrency = 32;

    /// <summary>A memory file system, for the diagnostic run that takes the index's writes off the disk.</summary>
    private const string MemoryDirectory = "/dev/shm";

    public static int Run(BenchOptions options)
    {
        if (options.Option("--runtime-settings") is { } settings)
        {
            return RuntimeSettingsRerun.Run(options, settings);
        }

        var rate = options.IntOption("--rate", 500);
        var seconds = options.IntOption("--seconds", 10);
        var count = rate * seconds;
        Console.WriteLine("# capture: durable capture of streamed chat calls, in process\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        Console.WriteLine($"- load: {count:N0} exchanges offered at {rate}/s (open loop), after {WarmUpExchanges:N0} unmeasured ones; each a streamed chat call (8 SSE events) with its own user text, so a new conversation each");
        Console.WriteLine($"- repeats: {options.Repeat} (baseline and capture alternate)\n");

        var table = new MarkdownTable(
            "Run", "Exchanges/s:", "p50 ms:", "p90 ms:", "p99 ms:", "max ms:", "fsyncs:", "fsync p50 ms:", "fsync p99 ms:", "fsyncs ≥ 1 ms:",
            "CPU ms/exchange:", "alloc KB/exchange:", "written KiB/exchange:", "gen0 GCs:", "GC pause ms:");
        var added = new MarkdownTable("Repeat", "added p50 ms:", "added p90 ms:", "added p99 ms:");
        for (var r = 1; r <= options.Repeat; r++)
        {
            var floor = RunFloor(options, r, rate, count);
            var capture = RunCapture(options, r, rate, count, indexDirectory: null);
            table.Add(floor.Row($"baseline: write + fsync of the exchange's bytes (repeat {r})"));
            table.Add(capture.Row($"durable capture: ArchiveSink → recorder → commit (repeat {r})"));
            if (Directory.Exists(MemoryDirectory))
            {
                var memory = Path.Combine(MemoryDirectory, $"amber-capture-bench-{Environment.ProcessId}-{r}");
                try
                {
                    var diagnostic = RunCapture(options, r, rate, count, memory);
                    table.Add(diagnostic.Row($"*diagnostic: the same with the index in {MemoryDirectory} (tmpfs), segments on disk (repeat {r})*"));
                }
                finally
                {
                    Program.TryDelete(memory);
                }
            }
            added.Add(
                Fmt.Int(r),
                Fmt.Ms(capture.Latency.P50 - floor.Latency.P50),
                Fmt.Ms(capture.Latency.P90 - floor.Latency.P90),
                Fmt.Ms(capture.Latency.P99 - floor.Latency.P99));
        }

        Console.WriteLine(table);
        Console.WriteLine();
        Console.WriteLine("Added by the archive over the baseline, same repeat:\n");
        Console.WriteLine(added);
        Console.WriteLine();
        var indexFloor = CaptureIndexFloor.Measure(options.WorkDirectory);
        Console.WriteLine($"Index floor: the least any index of these calls must do per exchange, in the archive's own tables (one conversation row, two node rows, two membership rows, two rows of the full-text table), {CaptureIndexFloor.Exchanges:N0} exchanges in transactions of {CaptureIndexFloor.PerTransaction}, no fsync, best of 3: **{indexFloor.TotalMicroseconds:F1} µs per exchange** of one core, of which the full-text rows {indexFloor.FullTextMicroseconds:F1} µs (measured apart, same way).\n");
        Console.WriteLine($"- load average at end (1/5/15 min): {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static Measured RunFloor(BenchOptions options, int repeat, int rate, int count)
    {
        var counters = new IoCounters();
        var fs = new TimingFileSystem(counters);
        var path = Path.Combine(options.WorkDirectory, $"floor-{repeat}.bin");
        using var file = fs.OpenWrite(path, create: true);
        var gate = new Lock();
        long end = 0;
        var exchanges = new Exchanges(seed: repeat);

        void Append(RawExchange exchange)
        {
            var bytes = exchange.ToJsonBytes();
            lock (gate)
            {
                file.Write(end, bytes);
                end += bytes.Length;
                file.Sync();
            }
        }

        for (var i = 0; i < WarmUpExchanges; i++)
        {
            Append(exchanges.Next());
        }

        return Measure(counters, rate, count, exchanges, e =>
        {
            Append(e);
            return Task.CompletedTask;
        });
    }

    private static Measured RunCapture(BenchOptions options, int repeat, int rate, int count, string? indexDirectory)
    {
        var counters = new IoCounters();
        var directory = Path.Combine(options.WorkDirectory, $"capture-{repeat}{(indexDirectory is null ? "" : "-index-elsewhere")}");
        if (indexDirectory is not null)
        {
            Directory.CreateDirectory(indexDirectory);
        }

        var archiveOptions = new ArchiveOptions
        {
            Directory = directory,
            FileSystem = new TimingFileSystem(counters),
            IndexPath = indexDirectory is null ? null : Path.Combine(indexDirectory, "index.db"),
        };
        Archive.Init(archiveOptions).Dispose();
        using var archive = Archive.Open(archiveOptions);
        var sink = new ArchiveSink(archive, new ConversationRecorder(archive, TimeProvider.System));
        var exchanges = new Exchanges(seed: repeat);
        Parallel.For(0, WarmUpExchanges, new ParallelOptions { MaxDegreeOfParallelism = WarmUpConcurrency }, _ =>
            sink.RecordAsync(exchanges.Next(), CancellationToken.None).GetAwaiter().GetResult());
        // A read waits for the index to hold this process's commits (read-your-writes), so the written bytes include the index's.
        return Measure(counters, rate, count, exchanges, e => sink.RecordAsync(e, CancellationToken.None), settle: () => archive.ListConversations(1));
    }

    /// <summary>Offers <paramref name="count"/> exchanges at <paramref name="rate"/> per second and times each from the moment a pool thread starts on it.</summary>
    /// <param name="settle">
    /// Waits until everything written so far is on disk in full (the archive's index catching up with the commits, which it
    /// does after they are acknowledged): run before the window opens and after the last exchange is acknowledged, so the
    /// bytes written in the window are exactly those the window's exchanges cause, index included.
    /// </param>
    private static Measured Measure(IoCounters counters, int rate, int count, Exchanges exchanges, Func<RawExchange, Task> preserve, Action? settle = null)
    {
        var batch = Enumerable.Range(0, count).Select(_ => exchanges.Next()).ToArray();
        var latencies = new ConcurrentQueue<double>();
        counters.Reset();
        counters.SyncLatencies = new ConcurrentQueue<double>();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var gc0 = GC.CollectionCount(0);
        var pause0 = GC.GetTotalPauseDuration();
        var allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        settle?.Invoke();
        var written0 = WrittenBytes();
        var clock = Stopwatch.StartNew();
        var tasks = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var due = i * 1000.0 / rate;
            while (clock.Elapsed.TotalMilliseconds < due)
            {
                Thread.Sleep(1);
            }

            var exchange = batch[i];
            tasks.Add(Task.Run(async () =>
            {
                var start = Stopwatch.GetTimestamp();
                await preserve(exchange).ConfigureAwait(false);
                latencies.Enqueue(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }));
        }

        Task.WaitAll(tasks);
        var elapsed = clock.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        var syncs = counters.SyncLatencies.ToArray();
        counters.SyncLatencies = null;
        settle?.Invoke();
        return new Measured(
            count / elapsed.TotalSeconds,
            LatencyStats.Of(latencies),
            syncs.Length == 0 ? null : LatencyStats.Of(syncs),
            cpu.TotalMilliseconds / count,
            (GC.GetTotalAllocatedBytes(precise: true) - allocated0) / 1024.0 / count,
            written0 is { } w0 && WrittenBytes() is { } w1 ? (w1 - w0) / 1024.0 / count : null,
            GC.CollectionCount(0) - gc0,
            (GC.GetTotalPauseDuration() - pause0).TotalMilliseconds);
    }

    /// <summary>Bytes this process has passed to write calls so far (Linux <c>/proc/self/io</c>, <c>wchar</c>), or null elsewhere.</summary>
    private static long? WrittenBytes()
    {
        const string io = "/proc/self/io";
        if (!File.Exists(io))
        {
            return null;
        }

        var line = File.ReadLines(io).FirstOrDefault(l => l.StartsWith("wchar:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line["wchar:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    private sealed record Measured(
        double PerSecond, LatencyStats Latency, LatencyStats? Syncs, double CpuMs, double AllocatedKb, double? WrittenKib, int Gen0, double PauseMs)
    {
        public string[] Row(string label) =>
        [
            label,
            PerSecond.ToString("F0", CultureInfo.InvariantCulture),
            Fmt.Ms(Latency.P50), Fmt.Ms(Latency.P90), Fmt.Ms(Latency.P99), Fmt.Ms(Latency.Max),
            Syncs is null ? "0" : Fmt.Int(Syncs.Count),
            Syncs is null ? "-" : Fmt.Ms(Syncs.P50),
            Syncs is null ? "-" : Fmt.Ms(Syncs.P99),
            Syncs is null ? "-" : Fmt.Int(Syncs.OverOneMs),
            Fmt.Ms(CpuMs),
            AllocatedKb.ToString("F1", CultureInfo.InvariantCulture),
            WrittenKib is { } w ? w.ToString("F1", CultureInfo.InvariantCulture) : "-",
            Fmt.Int(Gen0),
            PauseMs.ToString("F0", CultureInfo.InvariantCulture),
        ];
    }

    /// <summary>Streamed chat calls as the gateway hands them to its sink: the fake upstream's answer, each with its own user text.</summary>
    private sealed class Exchanges(int seed)
    {
        private static readonly byte[] Response = StreamingUpstream.EventBytes.SelectMany(e => e).ToArray();
        private static readonly IReadOnlyList<RawChunk> Chunks =
            StreamingUpstream.EventBytes.Select((e, k) => new RawChunk(k * 0.1, e.Length)).ToList();

        private readonly Random random = new(seed);
        private int next;

        public RawExchange Next()
        {
            int n, salt;
            lock (random)
            {
                n = ++next;
                salt = random.Next();
            }

            var body = $$"""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say something about preservation (run {{seed}}, call {{n}}, {{salt}})."}]}""";
            return new RawExchange
            {
                Source = "openai.chat",
                Instance = string.Create(CultureInfo.InvariantCulture, $"inst_bench_{seed}_{n}"),
                Tenant = "tenant:bench",
                Started = "2026-11-27T00:00:00.000Z",
                Upstream = "http://127.0.0.1:1/v1/chat/completions",
                Method = "POST",
                Path = "/v1/chat/completions",
                RequestHeaders = [new("Content-Type", "application/json")],
                RequestBody = Encoding.UTF8.GetBytes(body),
                Status = 200,
                ResponseHeaders = [new("Content-Type", "text/event-stream")],
                Streamed = true,
                ResponseBody = Response,
                Chunks = Chunks,
                FirstByteMs = 0.2,
                TotalMs = 1,
            };
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Amber.Revive.LlamaSharp;
using Amber.Testing;

namespace Amber.Benchmarks;

/// <summary>
/// Thaw against re-prefill: the time to the first new token after N tokens of context, either by
/// restoring the frozen state (decompress, load, decode the pending token, sample) or by prefilling the
/// N tokens again on a fresh context (the baseline, measured in the same run on the same model and
/// settings), for N from 128 to the model's limit. Also the state's bytes per token, raw and compressed.
/// Models: a random-weight llama GGUF written here (n_embd 256, 4 layers, 4 KV heads × 64, f32 weights,
/// context 4096) and, when ../shared is present, stories260K (context 2048).
/// </summary>
public static class ThawBenchCommand
{
    private const int Repeats = 5;

    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# thaw\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        Console.WriteLine($"- llama.cpp build: {LlamaRuntime.Build}; {LlamaRuntime.EngineVersion}");
        var random = TinyGguf.Write(Path.Combine(options.WorkDirectory, "random-256x4.gguf"), embedding: 256, layers: 4, heads: 4, kvHeads: 4, feedForward: 512, context: 4096, seed: 3);
        Measure("random llama, n_embd 256, 4 layers, 4 KV heads × 64, f32 (written by the benchmark)", random, 4096);
        var stories = Path.Combine(options.SharedDirectory, "models", "stories260K.gguf");
        if (File.Exists(stories))
        {
            Measure("stories260K (5 layers, 4 KV heads × 8, f32)", stories, 2048);
        }
        else
        {
            Console.WriteLine($"\n(stories260K not found at {stories}; skipped)");
        }

        return 0;
    }

    private static void Measure(string title, string path, int limit)
    {
        var settings = new LocalEngineSettings { ContextSize = (uint)limit, BatchSize = 512, UBatchSize = 512, Threads = Environment.ProcessorCount };
        using var model = LocalModel.Load(path, settings);
        var sampler = new SamplerSettings { MaxTokens = 1 };
        var rng = new Random(11);
        Console.WriteLine($"\n## {title}\n");
        Console.WriteLine($"Median of {Repeats} runs each; time to the first new token, fresh context each time. Compressed = zstd level 9 (the stored blob); level 19 for comparison.\n");
        var table = new MarkdownTable("context tokens:", "re-prefill ms:", "thaw ms:", "speed-up:", "same token", "state B/token:", "blob (zstd-9) B/token:", "zstd-19 B/token:", "raw/zstd-9:");
        for (var n = 128; n <= limit; n *= 2)
        {
            // N tokens of context: a BOS then random ids (text does not matter to the timing), kept below the limit
            // so the pending token and the first new token still fit.
            var count = Math.Min(n, limit - 2);
            var prompt = new List<int> { 1 };
            while (prompt.Count < count)
            {
                prompt.Add(rng.Next(3, 250));
            }

            var frozen = model.GenerateAsync(prompt, sampler, freeze: true).GetAwaiter().GetResult();
            var blob = frozen.State!;
            var state = FrozenState.FromBlob(blob);
            var context = state.Tokens.ToList();

            var prefill = new List<double>();
            var thaw = new List<double>();
            int? prefillToken = null;
            int? thawToken = null;
            for (var r = 0; r < Repeats; r++)
            {
                var sw = Stopwatch.StartNew();
                var g = model.GenerateAsync(context, sampler).GetAwaiter().GetResult();
                prefill.Add(sw.Elapsed.TotalMilliseconds);
                prefillToken = g.OutputTokens[0];

                sw.Restart();
                var restored = FrozenState.FromBlob(blob);
                var t = model.ThawAsync(restored, [], sampler with { Seed = 0 }).GetAwaiter().GetResult();
                thaw.Add(sw.Elapsed.TotalMilliseconds);
                thawToken = t.OutputTokens[0];
            }

            var p = Median(prefill);
            var th = Median(thaw);
            using var c19 = new ZstdSharp.Compressor(19);
            var level19 = c19.Wrap(state.ToContainer()).Length;
            table.Add(
                state.Tokens.Count.ToString(CultureInfo.InvariantCulture),
                p.ToString("0.0", CultureInfo.InvariantCulture),
                th.ToString("0.0", CultureInfo.InvariantCulture),
                (p / th).ToString("0.0", CultureInfo.InvariantCulture) + "×",
                prefillToken == thawToken ? "yes" : "NO",
                ((double)state.StateBytes.Length / state.CachedTokens).ToString("0", CultureInfo.InvariantCulture),
                ((double)blob.Length / state.CachedTokens).ToString("0", CultureInfo.InvariantCulture),
                ((double)level19 / state.CachedTokens).ToString("0", CultureInfo.InvariantCulture),
                ((double)state.StateBytes.Length / blob.Length).ToString("0.00", CultureInfo.InvariantCulture));
        }

        Console.WriteLine(table.ToString());
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}

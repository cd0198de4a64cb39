using System.Diagnostics;
using ZstdSharp;

namespace Amber.Benchmarks;

/// <summary>
/// How small the corpus's raw bytes alone can get when they are cut into independently readable zstd frames,
/// against <c>zstd -19 --long=27 -T1</c> of the concatenated corpus, and what one frame then costs to decompress.
/// No archive, no normalized form, no ids, no log: the floor under any per-frame store, and the price in read
/// time of bigger frames. Frames are built like the importer's packs: consecutive records of one file, up to
/// the frame size (a larger record alone).
/// </summary>
public static class FrameBoundCommand
{
    private const string CliArgs = "-19 --long=27 -T1";
    private const int DictionarySize = 32 << 10;

    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# frames: raw bytes alone in independent zstd frames\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var corpus = Corpus.Load(options.CorpusDirectory);
        Console.WriteLine($"- corpus: {corpus.Directory}: {corpus.Records.Count} records in {corpus.Files.Count} files, {Fmt.Bytes(corpus.RawBytes)} record bytes\n");
        if (!ZstdBaseline.CliAvailable)
        {
            Console.WriteLine($"**{ZstdBaseline.CliPath} is not installed: there is no baseline to compare with.**");
            return 1;
        }

        var concat = Path.Combine(options.WorkDirectory, "corpus.bin");
        Corpus.Concatenate(corpus.Files, concat);

        var (baseline, _) = ZstdBaseline.CliCompressedSize(concat, CliArgs);
        Console.WriteLine($"Baseline `zstd {CliArgs}` of the concatenated files: **{Fmt.Bytes(baseline)} B**; 1.2 × that is {Fmt.Bytes((long)(baseline * 1.2))} B.\n");

        var table = new MarkdownTable("Frame size", "Frames:", "Level:", "Dictionary:", "Raw bytes stored:", "÷ zstd -19 --long=27:", "Decompress median frame ms:", "Decompress largest frame ms:");
        foreach (var frameSize in new[] { 96 << 10, 256 << 10, 1 << 20, 4 << 20 })
        {
            var frames = Pack(corpus.Records, frameSize);
            var samples = corpus.Records.Select(r => r.Bytes.ToArray()).ToList();
            var dictionary = DictBuilder.TrainFromBuffer(samples, DictionarySize).ToArray();
            foreach (var level in new[] { 9, 19 })
            {
                foreach (var withDictionary in new[] { false, true })
                {
                    if (withDictionary && frameSize > 256 << 10)
                    {
                        continue; // a 32 KiB dictionary adds nothing measurable to frames this large
                    }

                    var compressed = Compress(frames, level, withDictionary ? dictionary : null);
                    var total = compressed.Sum(c => (long)c.Length) + (withDictionary ? dictionary.Length : 0);
                    var (median, largest) = DecompressTimes(frames, compressed, withDictionary ? dictionary : null);
                    table.Add(
                        $"{frameSize >> 10} KiB",
                        Fmt.Int(frames.Count),
                        Fmt.Int(level),
                        withDictionary ? "32 KiB, trained on the records" : "none",
                        Fmt.Bytes(total),
                        Fmt.Ratio((double)total / baseline),
                        Fmt.Ms(median),
                        Fmt.Ms(largest));
                }
            }
        }

        Console.WriteLine(table);
        Console.WriteLine("\nDecompression: ZstdSharp in this process, best of 5 per frame after a warm-up; \"median frame\" is the frame of median raw size. Dictionary rows count the dictionary's bytes once.");
        return 0;
    }

    private static List<byte[]> Pack(IReadOnlyList<CorpusRecord> records, int frameSize)
    {
        var frames = new List<byte[]>();
        var current = new List<byte>();
        string? file = null;
        foreach (var r in records)
        {
            var key = r.Folder + "/" + r.File;
            if (current.Count > 0 && (key != file || current.Count + r.Bytes.Length > frameSize))
            {
                frames.Add([.. current]);
                current.Clear();
            }

            file = key;
            current.AddRange(r.Bytes.Span);
        }

        if (current.Count > 0)
        {
            frames.Add([.. current]);
        }

        return frames;
    }

    private static List<byte[]> Compress(List<byte[]> frames, int level, byte[]? dictionary)
    {
        using var c = new Compressor(level);
        if (dictionary is not null)
        {
            c.LoadDictionary(dictionary);
        }

        return frames.Select(f => c.Wrap(f).ToArray()).ToList();
    }

    private static (double MedianMs, double LargestMs) DecompressTimes(List<byte[]> frames, List<byte[]> compressed, byte[]? dictionary)
    {
        using var d = new Decompressor();
        if (dictionary is not null)
        {
            d.LoadDictionary(dictionary);
        }

        double Time(int i)
        {
            var output = new byte[frames[i].Length];
            d.Unwrap(compressed[i], output, 0); // warm-up
            var best = double.MaxValue;
            for (var k = 0; k < 5; k++)
            {
                var t = Stopwatch.GetTimestamp();
                d.Unwrap(compressed[i], output, 0);
                best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }

            return best;
        }

        var order = Enumerable.Range(0, frames.Count).OrderBy(i => frames[i].Length).ToList();
        return (Time(order[order.Count / 2]), Time(order[^1]));
    }
}

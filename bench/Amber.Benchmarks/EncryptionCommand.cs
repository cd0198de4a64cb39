using System.Diagnostics;
using System.Security.Cryptography;
using Amber.Import;
using Amber.Import.Formats;
using Amber.Storage;
using Amber.Storage.Keys;

namespace Amber.Benchmarks;

/// <summary>
/// <c>encryption</c>: the cost of encryption at rest (issue 15) on a real import, in one run: the corpus imported by the
/// real importers into an archive without encryption and into an encrypted one (a data key per conversation, codec-5
/// blocks, encryption.md §5), alternating, best of three each; import throughput and stored bytes (segments and blob
/// files; the index is separate) of each, and their ratios.
/// </summary>
public static class EncryptionCommand
{
    private const int Rounds = 3;

    public static int Run(BenchOptions options)
    {
        var files = Corpus.DataFiles(options.CorpusDirectory);
        var raw = files.Sum(f => new FileInfo(f).Length);
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        Console.WriteLine($"- corpus: {files.Count} files, {Fmt.Bytes(raw)} bytes; real importers, default options; best of {Rounds} alternating rounds each");
        Console.WriteLine();

        var best = new Dictionary<bool, (double Ms, double IndexedMs, long Stored, long Index)> { [false] = (double.MaxValue, 0, 0, 0), [true] = (double.MaxValue, 0, 0, 0) };
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var encrypt in new[] { false, true })
            {
                var directory = Path.Combine(options.WorkDirectory, $"encryption-{round}-{encrypt}");
                var keys = Path.Combine(options.WorkDirectory, $"keys-{round}-{encrypt}");
                var archiveOptions = new ArchiveOptions
                {
                    Directory = directory,
                    Encryption = encrypt,
                    KeyProvider = _ => new FileKeyProvider(keys, RandomNumberGenerator.Create()),
                };
                double ms;
                double indexedMs;
                using (var archive = Archive.Init(archiveOptions))
                {
                    var watch = Stopwatch.StartNew();
                    var summary = new Importer(archive, FormatRegistry.All, new ImportOptions()).Run(files);
                    ms = watch.Elapsed.TotalMilliseconds;
                    // A search waits until the index holds every acknowledged commit: the index's own cost (an encrypted
                    // archive's keyed word hashes, encryption.md §6) ends here.
                    archive.Search("the", limit: 1);
                    indexedMs = watch.Elapsed.TotalMilliseconds;
                    if (!summary.Ok)
                    {
                        throw new InvalidOperationException(string.Join("\n", summary.Errors));
                    }
                }

                var stored = Size(Path.Combine(directory, "segments")) + Size(Path.Combine(directory, "blobs")) + (encrypt ? new FileInfo(Path.Combine(directory, KeyStore.FileName)).Length : 0);
                var index = new FileInfo(Path.Combine(directory, "index.db")).Length;
                if (ms < best[encrypt].Ms)
                {
                    best[encrypt] = (ms, indexedMs, stored, index);
                }

                Program.TryDelete(directory);
                Program.TryDelete(keys);
            }
        }

        var table = new MarkdownTable("Archive", "import ms:", "MB/s of raw:", "÷ without:", "+ indexed ms:", "÷ without:", "stored bytes:", "stored ÷ raw:", "÷ without:", "index bytes:", "÷ without:");
        foreach (var encrypt in new[] { false, true })
        {
            var (ms, indexedMs, stored, index) = best[encrypt];
            table.Add(
                encrypt ? "encrypted (codec 5, keys.db included in stored)" : "baseline: without encryption",
                Fmt.Ms(ms),
                Fmt.Rate(raw / 1e6 / (ms / 1000)),
                Fmt.Ratio(ms / best[false].Ms),
                Fmt.Ms(indexedMs),
                Fmt.Ratio(indexedMs / best[false].IndexedMs),
                Fmt.Bytes(stored),
                Fmt.Ratio((double)stored / raw),
                Fmt.Ratio((double)stored / best[false].Stored),
                Fmt.Bytes(index),
                Fmt.Ratio((double)index / best[false].Index));
        }

        Console.WriteLine(table);
        Console.WriteLine($"- load average at end (1/5/15 min): {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static long Size(string folder) => Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amber.Import;
using Amber.Import.Formats;
using Amber.Storage;

namespace Amber.Benchmarks;

/// <summary>
/// Issue 20 item 13: one JSON Lines file of many two-message conversations (default 1,000,000, about 92 MB),
/// imported into a fresh archive; prints the time and the process's peak resident memory. Memory must stay
/// flat in the number of conversations and time linear. Options: --conversations N.
/// </summary>
public static class ImportManyCommand
{
    public static int Run(BenchOptions options)
    {
        var count = options.IntOption("--conversations", 1_000_000);
        Console.WriteLine("# import-many\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var file = Path.Combine(options.WorkDirectory, "many.jsonl");
        using (var w = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20))
        {
            for (var i = 0; i < count; i++)
            {
                w.Write(string.Create(CultureInfo.InvariantCulture, $"{{\"messages\":[{{\"role\":\"user\",\"content\":\"q{i}\"}},{{\"role\":\"assistant\",\"content\":\"a{i}\"}}]}}\n"));
            }
        }

        var bytes = new FileInfo(file).Length;
        var before = ProcessMemory.PeakRss();
        using var archive = Archive.Init(new ArchiveOptions { Directory = Path.Combine(options.WorkDirectory, "archive") });
        var sw = Stopwatch.StartNew();
        var summary = new Importer(archive, FormatRegistry.All, new ImportOptions()).Run([file]);
        var elapsed = sw.Elapsed;
        if (!summary.Ok)
        {
            Console.Error.WriteLine(string.Join("\n", summary.Errors));
            return 1;
        }

        var table = new MarkdownTable("Conversations:", "File bytes:", "Seconds:", "Conversations/s:", "Peak RSS before:", "Peak RSS after:");
        table.Add(Fmt.Int(summary.Conversations), Fmt.Bytes(bytes), Fmt.Seconds(elapsed), Fmt.Int((long)(summary.Conversations / elapsed.TotalSeconds)), Fmt.Bytes(before), Fmt.Bytes(ProcessMemory.PeakRss()));
        Console.WriteLine(table);
        return 0;
    }
}

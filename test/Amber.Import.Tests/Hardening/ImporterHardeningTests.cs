using System.Text;
using Amber.Core.Model;
using Amber.Testing;

namespace Amber.Import.Tests.Hardening;

/// <summary>Issue 20, item 13: an import's memory does not grow with the number of conversations in a file.</summary>
public sealed class ImporterHardeningTests
{
    [Fact]
    public void Item13_Import_ManySmallConversations_HoldsABoundedNumberAtOnce()
    {
        using var fx = new ImportFixture();
        using var dir = new TempDirectory();
        var file = dir.Combine("many.jsonl");
        File.WriteAllText(file, "{}");
        const int count = 3 * Importer.MaxBufferedConversations;
        var format = new GeneratedFormat(count);

        var summary = new Importer(fx.Archive, [format], new ImportOptions { Format = GeneratedFormat.FormatName }).Run([file], null, TestContext.Current.CancellationToken);

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Equal(count, summary.NewConversations);

        // Before: every conversation of a file under 32 MiB of raw bytes stayed in memory until its end (1,000,000
        // two-message conversations: 1 GB). Now a fixed number at most, whatever the file holds.
        Assert.InRange(format.MostAlive, 1, Importer.MaxBufferedConversations + 256);
    }

    [Fact]
    public void Import_WaitsForTheOldestCommit_OnceTheRawBytesInFlightReachTheLimit()
    {
        using var fx = new ImportFixture();
        using var dir = new TempDirectory();
        var file = dir.Combine("window.jsonl");
        File.WriteAllText(file, "{}");
        const int count = 200, size = 10_000, window = 50_000;
        var format = new GeneratedFormat(count, size);
        var reports = new SynchronousProgress();

        // One conversation per commit, and a count limit that never binds: only the byte window can hold the importer back.
        var options = new ImportOptions { Format = GeneratedFormat.FormatName, PackBytes = 1, CommitConcurrency = 100_000, CommitBytesInFlight = window };
        var summary = new Importer(fx.Archive, [format], options).Run([file], reports, TestContext.Current.CancellationToken);

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Equal(count, summary.NewConversations);

        // Pass 2 reports the raw bytes handed to commits (after pass 1's total) and the conversations committed. Before the
        // window, 128 commits (of 512 KiB each, by default) were queued before the importer waited for any of them.
        var commitPass = reports.All.Where(r => r.BytesRead > (long)count * size && r.Conversations < count).ToList();
        Assert.NotEmpty(commitPass);
        Assert.All(commitPass, r => Assert.InRange(r.BytesRead - ((long)count * size) - ((long)r.Conversations * size), 0, window));
    }

    [Fact]
    public void Item10_Import_MessageOverTheCap_IsRefusedNamingTheRecord()
    {
        using var fx = new ImportFixture();
        using var dir = new TempDirectory();
        var file = dir.Combine("big.jsonl");
        var text = new string('x', Amber.Core.Json.JsonLimits.MaxNodeBytes);
        File.WriteAllText(file, "{\"id\": \"small\", \"conversations\": [{\"from\": \"human\", \"value\": \"hi\"}]}\n{\"id\": \"big\", \"conversations\": [{\"from\": \"human\", \"value\": \"" + text + "\"}]}\n");

        var summary = fx.ImportAs("sharegpt", file);

        var error = Assert.Single(summary.Errors);
        Assert.StartsWith($"{file}: conversation big: a user message is ", error, StringComparison.Ordinal);
        Assert.EndsWith($" bytes, over the limit of {Amber.Core.Json.JsonLimits.MaxNodeBytes >> 20} MiB for one message. Nothing from this file was committed.", error, StringComparison.Ordinal);
        Assert.Equal(0, fx.Archive.GetStats().Conversations);
    }

    /// <summary>Yields small two-message conversations and samples how many it produced are still reachable.</summary>
    private sealed class GeneratedFormat(int count, int rawBytes = 0) : IConversationFormat
    {
        public const string FormatName = "generated";

        private readonly List<WeakReference<ImportedConversation>> produced = [];

        public int MostAlive { get; private set; }

        public string Name => FormatName;

        public int DetectionOrder => 1000;

        public bool Detect(ImportInput input, ReadOnlySpan<byte> head) => false;

        public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
        {
            produced.Clear();
            for (var i = 0; i < count; i++)
            {
                if (i % 1024 == 1023)
                {
                    Sample();
                }

                var c = Conversation(i, rawBytes);
                produced.Add(new WeakReference<ImportedConversation>(c));
                yield return c;
            }

            Sample();
        }

        private void Sample()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            MostAlive = Math.Max(MostAlive, produced.Count(w => w.TryGetTarget(out _)));
        }

        /// <param name="rawBytes">Pads every conversation's raw bytes to this length (JSON whitespace), if longer.</param>
        private static ImportedConversation Conversation(int i, int rawBytes)
        {
            var question = new Node { Role = "user", Content = [new TextBlock($"question {i}")] };
            var answer = new Node { Role = "assistant", Parent = question.ComputeId(), Content = [new TextBlock($"answer {i}")] };
            return new ImportedConversation
            {
                Record = new ConversationRecord { Format = FormatName, Source = "generated", SourceId = $"c{i}" },
                Nodes = [question, answer],
                Raw = Encoding.UTF8.GetBytes($"{{\"q\":\"question {i}\",\"a\":\"answer {i}\"}}".PadRight(rawBytes)),
            };
        }
    }

    /// <summary>Records every report on the reporting thread, in order (<see cref="Progress{T}"/> posts them to the thread pool).</summary>
    private sealed class SynchronousProgress : IProgress<ImportProgress>
    {
        public List<ImportProgress> All { get; } = [];

        public void Report(ImportProgress value) => All.Add(value);
    }
}

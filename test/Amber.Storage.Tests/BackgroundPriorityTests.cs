using System.Globalization;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary>
/// The indexer and the WAL checkpointer do work nobody waits on; on Linux they run at a lower priority, so that on a
/// loaded machine the writer (whose fsync every caller waits for) and the request threads get the cores first.
/// </summary>
public sealed class BackgroundPriorityTests
{
    [Fact]
    public async Task IndexerAndCheckpointer_RunWithARaisedNiceValue_WhileTheWriterDoesNot()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Per-thread nice values are a Linux feature; elsewhere the threads keep the default priority.");
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        await archive.CommitAsync(SampleConversations.Create(1).Batch, TestContext.Current.CancellationToken);

        // Thread names are cut to 15 bytes in /proc: "amber-indexer" and "amber-index-che(ckpoint)".
        var indexer = await NiceOf("amber-indexer");
        var checkpointer = await NiceOf("amber-index-che");
        Assert.Equal(BackgroundPriority.Nice, indexer);
        Assert.Equal(BackgroundPriority.Nice, checkpointer);
        Assert.Equal(0, NiceOfThisThread());
    }

    private static async Task<int> NiceOf(string threadName)
    {
        // The threads lower themselves as they start; give them a moment.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var nice = Directory.GetDirectories("/proc/self/task")
                .Where(task => File.Exists(Path.Combine(task, "comm")) && File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == threadName)
                .Select(task => NiceFromStat(File.ReadAllText(Path.Combine(task, "stat"))))
                .ToList();
            Assert.True(nice.Count <= 1 || nice.Distinct().Count() == 1, $"threads named {threadName} disagree: {string.Join(", ", nice)}");
            if (nice.Count > 0 && nice[0] != 0)
            {
                return nice[0];
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return Directory.GetDirectories("/proc/self/task").Any(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == threadName)
            ? 0
            : throw new InvalidOperationException($"no thread named {threadName} in this process");
    }

    private static int NiceOfThisThread() => NiceFromStat(File.ReadAllText("/proc/thread-self/stat"));

    // proc(5): the command name is in parentheses and may hold spaces; "nice" is field 19, the 17th after the ')'.
    private static int NiceFromStat(string stat)
        => int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);
}

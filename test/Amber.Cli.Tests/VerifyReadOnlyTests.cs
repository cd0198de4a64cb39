using System.Text.Json.Nodes;
using Amber.Storage;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>
/// <c>amber verify</c> opens the archive only to verify it (<see cref="ArchiveOptions.Verifying"/>): it recovers nothing,
/// takes no writer lock and writes nothing but <c>verify.memo</c>, so it reports a torn tail instead of cutting it and runs
/// beside a writer without taking its place.
/// </summary>
public sealed class VerifyReadOnlyTests
{
    [Fact]
    public void Verify_LeavesEveryFileOfTheArchiveAsItWas_ButTheMemo()
    {
        using var cli = new CliRunner();
        cli.Seed(3);
        // As a writer process leaves it at exit: its pooled connections closed, SQLite's -wal and -shm removed.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var before = Snapshot(cli.ArchiveDir);
        Assert.DoesNotContain("index.db-wal", before.Keys);

        Assert.Equal(0, cli.Run("verify").Exit);
        AssertUnchangedButTheMemo(cli.ArchiveDir, before);
        Assert.True(File.Exists(Path.Combine(cli.ArchiveDir, "verify.memo")));

        // The steady state and --full alike.
        Assert.Equal(0, cli.Run("verify").Exit);
        Assert.Equal(0, cli.Run("verify", "--full").Exit);
        AssertUnchangedButTheMemo(cli.ArchiveDir, before);
    }

    [Fact]
    public void Verify_TornTail_IsReportedAndLeftForTheWriter_NotCut()
    {
        using var cli = new CliRunner();
        cli.Seed(2);
        var whole = new FileInfo(cli.FirstSegment).Length;
        File.AppendAllText(cli.FirstSegment, "partial frame bytes");

        var (exit, output, err) = cli.Run("verify");
        Assert.True(exit == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"note: seg-000001.amb at offset {whole}: 19 byte(s) after the last whole frame", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("recovered:", output, StringComparison.Ordinal);
        Assert.StartsWith("ok:", lines[^1], StringComparison.Ordinal);
        Assert.Equal(whole + 19, new FileInfo(cli.FirstSegment).Length);

        // Not memoised: the next verify reports it again.
        var again = JsonNode.Parse(cli.Run("verify", "--json").Out)!;
        Assert.Contains(again["notes"]!.AsArray(), n => n!.GetValue<string>().Contains("19 byte(s) after the last whole frame", StringComparison.Ordinal));
        Assert.Contains(again["deep_checked"]!.AsArray(), u => u!.GetValue<string>() == "seg-000001.amb");
        Assert.Empty(again["recovery"]!.AsArray());

        // The next open for writing cuts it, and says so.
        Assert.Contains("cut a torn tail of 19 bytes", cli.Run("ls").Err, StringComparison.Ordinal);
        Assert.Equal(whole, new FileInfo(cli.FirstSegment).Length);
    }

    [Fact]
    public void Verify_OpenWhileAWriterOpens_LeavesTheWriterItsLock()
    {
        using var cli = new CliRunner();
        cli.Seed(2);
        using var verifying = Archive.Open(cli.Options() with { Verifying = true });
        Assert.True(verifying.IsReadOnly);

        // A writer that opens while verify has the archive open is still the writer.
        using (var writer = Archive.Open(cli.Options()))
        {
            Assert.False(writer.IsReadOnly);
            writer.Commit(SampleConversations.Create(7).Batch);
        }

        var report = ArchiveVerifier.Verify(verifying);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
    }

    [Fact]
    public async Task Verify_WhileAWriterCommits_NeitherBlocksNorCorruptsIt()
    {
        using var cli = new CliRunner();
        cli.Seed(2);
        await using var writer = Archive.Open(cli.Options());
        Assert.False(writer.IsReadOnly);
        using var done = new CancellationTokenSource();
        var committing = Task.Run(
            async () =>
            {
                var n = 0;
                for (var i = 10; i < 60 && (!done.IsCancellationRequested || n < 5); i++, n++)
                {
                    await writer.CommitAsync(SampleConversations.Create(i).Batch, TestContext.Current.CancellationToken);
                }

                return n;
            },
            TestContext.Current.CancellationToken);

        // Verifies beside the writer: whatever the writer has appended meanwhile, none is a fault.
        for (var round = 0; round < 3; round++)
        {
            var (exit, output, err) = cli.Run("verify", "--json");
            Assert.True(exit == 0, err + output);
        }

        await done.CancelAsync();
        var committed = await committing;
        Assert.True(committed >= 5);
        Assert.False(writer.IsReadOnly);
        Assert.Null(writer.WriterFailure);
        await writer.DisposeAsync();

        var full = JsonNode.Parse(cli.Run("verify", "--json", "--full").Out)!;
        Assert.True(full["ok"]!.GetValue<bool>(), full.ToJsonString());
        Assert.Equal(2 + committed, full["commits"]!.GetValue<long>());
    }

    private static Dictionary<string, (byte[] Bytes, DateTime Written)> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => (File.ReadAllBytes(f), File.GetLastWriteTimeUtc(f)), StringComparer.Ordinal);

    private static void AssertUnchangedButTheMemo(string dir, Dictionary<string, (byte[] Bytes, DateTime Written)> before)
    {
        var after = Snapshot(dir);
        foreach (var (name, (bytes, written)) in before)
        {
            Assert.True(after.TryGetValue(name, out var now), $"{name} is gone");
            Assert.True(bytes.AsSpan().SequenceEqual(now.Bytes), $"{name} changed");
            Assert.Equal(written, now.Written);
        }

        // New files: the memo, and the empty lock a read-only process shares with compactions (ReaderPresence).
        foreach (var (name, now) in after.Where(a => !before.ContainsKey(a.Key)))
        {
            Assert.True(name == "verify.memo" || (name == "readers.lock" && now.Bytes.Length == 0), $"verify made {name}");
        }
    }
}

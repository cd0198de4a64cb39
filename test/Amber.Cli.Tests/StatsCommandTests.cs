using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;
using Microsoft.Data.Sqlite;

namespace Amber.Cli.Tests;

/// <summary><c>amber stats</c> reports how far the index lags the acknowledged commits.</summary>
public sealed class StatsCommandTests
{
    [Fact]
    public void Stats_ArchiveItOpensForWriting_ReportsNoLag()
    {
        using var cli = new CliRunner();
        cli.Seed(3);
        var (exit, output, _) = cli.Run("stats", "--json");

        Assert.Equal(0, exit);
        var lag = JsonNode.Parse(output)!["index_lag"]!;
        Assert.Equal((3L, 3L, 0L, 0L), (lag["acknowledged_seq"]!.GetValue<long>(), lag["indexed_seq"]!.GetValue<long>(), lag["commits"]!.GetValue<long>(), lag["bytes"]!.GetValue<long>()));
        Assert.Contains("none (indexed through commit 3)", cli.Run("stats").Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_WhileAnotherProcessesIndexerIsBehind_ReportsTheLagInsteadOfWaiting()
    {
        using var cli = new CliRunner();
        cli.Seed(3);
        var ct = TestContext.Current.CancellationToken;
        await using var writer = Archive.Open(new ArchiveOptions { Directory = cli.ArchiveDir }); // holds amber.lock: the CLI opens read-only
        using (var held = new SqliteConnection($"Data Source={Path.Combine(cli.ArchiveDir, "index.db")};Pooling=False"))
        {
            held.Open();
            using (var begin = held.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE"; // the writer's indexer cannot write until this is released
                begin.ExecuteNonQuery();
            }

            var batch = new CommitBatch("test");
            batch.AddConversation(new ConversationRecord { Format = "test", Source = "unit", SourceId = "late", Title = "late" })
                .AddNode(new Node { Role = "user", Content = [new TextBlock("not indexed yet")] });
            await writer.CommitAsync(batch, ct).WaitAsync(TimeSpan.FromSeconds(20), ct);

            var json = await Task.Run(() => cli.Run("stats", "--json"), ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
            var table = await Task.Run(() => cli.Run("stats"), ct).WaitAsync(TimeSpan.FromSeconds(60), ct);

            Assert.Equal(0, json.Exit);
            var s = JsonNode.Parse(json.Out)!;
            var lag = s["index_lag"]!;
            Assert.Equal((4L, 3L, 1L), (lag["acknowledged_seq"]!.GetValue<long>(), lag["indexed_seq"]!.GetValue<long>(), lag["commits"]!.GetValue<long>()));
            Assert.True(lag["bytes"]!.GetValue<long>() > 0);
            Assert.Equal(3, s["commits"]!.GetValue<long>()); // the counts are the index's
            Assert.Contains("1 commits", table.Out, StringComparison.Ordinal);
            Assert.Contains("indexed through 3 of 4", table.Out, StringComparison.Ordinal);
        }
    }
}

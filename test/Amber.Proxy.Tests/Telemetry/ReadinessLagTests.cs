using System.Net;
using Amber.Core.Hosting.AspNet;
using Amber.Core.Model;
using Amber.Storage;
using Microsoft.Data.Sqlite;

namespace Amber.Proxy.Tests.Telemetry;

/// <summary>
/// /readyz turns 503 when the index lags more than <see cref="Observability.ReadyIndexLagCommits"/> commits behind the
/// acknowledged ones, and 200 again once the indexer has caught up. The lag is real: another connection holds the
/// index's write lock (what a long reader transaction or a slow disk does), so the indexer cannot apply commits while
/// the writer keeps acknowledging them.
/// </summary>
public sealed class ReadinessLagTests : GatewayTestBase
{
    [Fact]
    public async Task Readyz_WhileTheIndexLagsPastItsThreshold_Is503WithTheReason_ThenReadyOnceCaughtUp()
    {
        using var http = new HttpClient { BaseAddress = GatewayUrl };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz", Ct)).StatusCode);

        var held = new SqliteConnection($"Data Source={Path.Combine(Archives.Directory, "index.db")};Pooling=False");
        try
        {
            held.Open();
            using (var begin = held.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE"; // the indexer cannot write until this is released
                begin.ExecuteNonQuery();
            }

            var commits = (int)Observability.ReadyIndexLagCommits + 8;
            for (var i = 0; i < commits; i++)
            {
                var batch = new CommitBatch("test");
                batch.AddConversation(new ConversationRecord { Format = "test", Source = "unit", SourceId = $"lag-{i}" })
                    .AddNode(new Node { Role = "user", Content = [new TextBlock($"commit {i} waits for the index")] });
                await Archive.CommitAsync(batch, Ct);
            }

            Assert.True(Archive.GetIndexLag().Commits > Observability.ReadyIndexLagCommits, $"the index lags {Archive.GetIndexLag().Commits} commits only");
            using var lagging = await http.GetAsync("/readyz", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, lagging.StatusCode);
            Assert.Matches(@"^not ready: the index is \d+ commits behind \(at most 1024\)$", await lagging.Content.ReadAsStringAsync(Ct));
            Assert.Equal("ok", await http.GetStringAsync("/healthz", Ct)); // alive all the while
        }
        finally
        {
            held.Dispose(); // rolls the held transaction back: the indexer proceeds
        }

        HttpStatusCode status = default;
        for (var i = 0; i < 600 && status != HttpStatusCode.OK; i++)
        {
            using var response = await http.GetAsync("/readyz", Ct);
            status = response.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                await Task.Delay(100, Ct);
            }
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", await http.GetStringAsync("/readyz", Ct));
        Assert.InRange(Archive.GetIndexLag().Commits, 0, Observability.ReadyIndexLagCommits); // ready again within the threshold, before it is all indexed
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Amber.Storage;
using Amber.Testing;
using Microsoft.AspNetCore.Builder;

namespace Amber.Viewer.Tests;

/// <summary>The JSON API over a real Kestrel server on loopback.</summary>
public sealed class ArchiveApiTests : IAsyncLifetime
{
    private readonly TestArchives archives = new(FileSystemKind.Local);
    private readonly List<(string Conversation, IReadOnlyList<string> Leaves)> seeded = [];
    private Archive archive = null!;
    private WebApplication app = null!;
    private HttpClient http = null!;

    public async ValueTask InitializeAsync()
    {
        archive = archives.Init();
        for (var i = 0; i < 7; i++)
        {
            var (batch, cid, leaves) = SampleConversations.Create(i);
            archive.Commit(batch);
            seeded.Add((cid, leaves));
        }

        await archive.EnsureCheckpointAsync();
        app = AmberServer.Build(archive, "127.0.0.1:0");
        await app.StartAsync();
        http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        archive.Dispose();
        archives.Dispose();
    }

    private async Task<JsonNode> Get(string path)
    {
        var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
    }

    [Fact]
    public void Server_ListensOnLoopback()
    {
        Assert.StartsWith("http://127.0.0.1:", app.Urls.First(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conversations_PagedWithCursor_ReturnsAllNewestFirst()
    {
        var ids = new List<string>();
        string? next = null;
        do
        {
            var page = await Get("/api/conversations?n=3" + (next is null ? "" : "&before=" + Uri.EscapeDataString(next)));
            ids.AddRange(page["conversations"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()));
            next = page["next"]?.GetValue<string>();
        }
        while (next is not null);

        Assert.Equal(seeded.Select(s => s.Conversation).Reverse(), ids);
    }

    [Fact]
    public async Task Conversation_ById_HasNodesInstancesAndRaw()
    {
        var c = await Get("/api/conversations/" + seeded[2].Conversation);
        Assert.Equal(seeded[2].Conversation, c["id"]!.GetValue<string>());
        Assert.Equal(2, c["instance_list"]!.AsArray().Count);
        var raw = await http.GetStringAsync($"/api/conversations/{seeded[2].Conversation}/raw", TestContext.Current.CancellationToken);
        Assert.Equal("conv-2", JsonNode.Parse(raw)!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Node_ById_ListsItsConversations()
    {
        var n = await Get("/api/nodes/" + seeded[1].Leaves[0]);
        Assert.Equal("assistant", n["role"]!.GetValue<string>());
        Assert.Equal(seeded[1].Conversation, n["conversations"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Search_Query_ReturnsHits()
    {
        var s = await Get("/api/search?q=" + Uri.EscapeDataString("\"seed 4\""));
        Assert.NotEmpty(s["hits"]!.AsArray());
        Assert.All(s["hits"]!.AsArray(), h => Assert.Equal(seeded[4].Conversation, h!["conversation"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Search_OrderNewest_GivesTheLastArchivedConversationFirst()
    {
        var s = await Get("/api/search?order=newest&n=3&q=question");
        Assert.Equal("newest", s["order"]!.GetValue<string>());
        var hits = s["hits"]!.AsArray();
        Assert.Equal(3, hits.Count);
        Assert.All(hits, h => Assert.Equal(seeded[^1].Conversation, h!["conversation"]!.GetValue<string>()));
        Assert.Equal("rank", (await Get("/api/search?q=question"))["order"]!.GetValue<string>());
    }

    [Fact]
    public async Task Search_AnUnknownOrder_Is400()
    {
        var response = await http.GetAsync("/api/search?q=question&order=oldest", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("order must be rank or newest", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_ReportsTheArchive()
    {
        var s = await Get("/api/stats");
        Assert.Equal(7, s["conversations"]!.GetValue<long>());

        // This process wrote the seven commits, so its stats wait for them: the index holds them all.
        var lag = s["index_lag"]!;
        Assert.Equal((7L, 7L, 0L), (lag["acknowledged_seq"]!.GetValue<long>(), lag["indexed_seq"]!.GetValue<long>(), lag["commits"]!.GetValue<long>()));
    }

    [Fact]
    public async Task UnknownConversation_Returns404WithAnError()
    {
        var response = await http.GetAsync("/api/conversations/sha256:" + new string('0', 64), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["error"]);
    }

    [Fact]
    public async Task BadTierFilter_Returns400()
    {
        var response = await http.GetAsync("/api/conversations?tier=T9", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public void ParseListen_RejectsHostnamesOtherThanLocalhost()
    {
        Assert.Equal(IPAddress.Loopback, AmberServer.ParseListen("localhost:80").Address);
        Assert.Throws<FormatException>(() => AmberServer.ParseListen("example.com:80"));
        Assert.Throws<FormatException>(() => AmberServer.ParseListen("127.0.0.1"));
    }

    [Fact]
    public async Task Checkpoint_AndTiles_FollowTlogTiles()
    {
        var checkpoint = await http.GetStringAsync("/checkpoint", TestContext.Current.CancellationToken);
        var lines = checkpoint.Split('\n');
        Assert.Equal(archive.Log.Origin, lines[0]);
        Assert.Equal("7", lines[1]);
        var tile = await http.GetByteArrayAsync("/tile/0/000.p/7", TestContext.Current.CancellationToken);
        Assert.Equal(7 * 32, tile.Length);
        var bundle = await http.GetByteArrayAsync("/tile/entries/000.p/7", TestContext.Current.CancellationToken);
        var entries = Amber.Transparency.Tiles.TileBuilder.ParseEntryBundle(bundle);
        Assert.Equal(7, entries.Count);
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(Amber.Transparency.Merkle.MerkleHash.HashLeaf(entries[i]), tile.AsSpan(i * 32, 32).ToArray());
        }

        var missing = await http.GetAsync("/tile/0/000.p/8", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Receipt_ForAnInstance_IsADownloadableTlogProof()
    {
        var response = await http.GetAsync("/receipt/" + seeded[5].Leaves[0], TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith(".tlog-proof", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'), StringComparison.Ordinal);
        var receipt = Amber.Transparency.Receipts.TlogProof.Parse(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.True(receipt.Verify(archive.Log.Verifier).IsValid);
    }
}

using System.IO.Compression;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Import.Formats.LlmDb;
using Amber.Import.Tests.ShareGpt;
using Microsoft.Data.Sqlite;

namespace Amber.Import.Tests.LlmDb;

public sealed class LlmDbFormatTests
{
    private const string A = "01jaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "01jbbbbbbbbbbbbbbbbbbbbbbb";
    private const string C = "01jccccccccccccccccccccccc";

    [Fact]
    public void Import_LogsDb_OneConversationPerConversationRow()
    {
        using var fixture = new ImportFixture();
        var db = fixture.Temp("logs.db");
        LlmLogsDb.Create(db);
        Assert.Equal(LlmDbFormat.FormatName, DatasetTestData.Detected(db));

        var summary = fixture.Import(db);

        DatasetTestData.AssertOk(summary, fixture.Archive);
        Assert.Equal(LlmDbFormat.FormatName, Assert.Single(summary.Files).Format);
        Assert.Equal((4, 12, 3, 4), (summary.Conversations, summary.Nodes, summary.Instances, summary.NewConversations));
        var a = View(fixture, A);
        Assert.Equal(("Weather in Paris", 7, 1), (a.Record.Title, a.Tree.Count, a.Tree.Leaves.Count));
        Assert.Equal(["system", "user", "assistant", "user", "assistant", "user", "assistant"], a.Tree.PathTo(a.Tree.Leaves[0]).Select(p => p.Node.Role));
        Assert.Equal("2025-05-01T10:00:00.123456Z", a.Record.Created);
        Assert.Equal("gpt-4o-mini", (string)a.Record.Meta!["model"]!);
        Assert.Equal(("Never answered", 0), (View(fixture, C).Record.Title, View(fixture, C).Tree.Count));
        var legacy = View(fixture, "response:legacy-1");
        Assert.Equal(["user", "assistant"], legacy.Tree.PathTo(legacy.Tree.Leaves[0]).Select(p => p.Node.Role));
        Assert.Equal("2023-07-01T08:00:00Z", legacy.Tree.Nodes[legacy.Tree.Leaves[0]].Created);
    }

    [Fact]
    public void Import_LogsDb_GenerationRecordsCarryModelParametersUsageAndTimings()
    {
        using var fixture = new ImportFixture();
        var db = fixture.Temp("logs.db");
        LlmLogsDb.Create(db);
        DatasetTestData.AssertOk(fixture.Import(db), fixture.Archive);

        var a = View(fixture, A);
        var chain = a.Tree.PathTo(a.Tree.Leaves[0]).Select(p => p.Node).ToList();
        var first = chain[2].Generation!;
        var model = a.Models[first.Model];
        Assert.Equal(("llm", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "fp_1"), (model.Provider, model.Requested, model.Resolved, model.Fingerprint));
        Assert.Equal(0.2, (double)first.Parameters!["temperature"]!);
        Assert.Equal("get_weather", (string)first.Parameters["tools"]![0]!["name"]!);
        Assert.Equal("object", (string)first.Parameters["tools"]![0]!["input_schema"]!["type"]!);
        Assert.Equal((31, 12, 0), ((int)first.Usage!["input_tokens"]!, (int)first.Usage["output_tokens"]!, (int)first.Usage["token_details"]!["cached_tokens"]!));
        Assert.Equal((812L, "tool_calls"), (first.TotalMs, first.FinishReason));
        Assert.Equal("01jr1", (string)chain[2].Meta!["source_id"]!);
        Assert.Equal("chatcmpl-1", (string)chain[2].Meta!["response_json"]!["id"]!);
        Assert.Equal(Tier.T3, TierGrader.Grade(chain[2], model));

        // The third response names no resolved model: transcript tier for that turn, and so for the instance.
        var third = chain[6].Generation!;
        Assert.Null(a.Models[third.Model].Resolved);
        Assert.Equal("string", (string)third.Parameters!["schema"]!["properties"]!["animal"]!["type"]!);
        Assert.Equal("T4", a.Summary.Tier);
        Assert.Equal("2025-05-01T10:01:00.000001Z", chain[6].Created);
        Assert.Contains(fixture.Archive.ListConversations(10), s => s.Models.Count > 0);
    }

    [Fact]
    public void Import_LogsDb_MapsToolCallsResultsAttachmentsFragmentsAndSystemPrompts()
    {
        using var fixture = new ImportFixture();
        var db = fixture.Temp("logs.db");
        LlmLogsDb.Create(db);
        DatasetTestData.AssertOk(fixture.Import(db), fixture.Archive);

        var a = View(fixture, A);
        var chain = a.Tree.PathTo(a.Tree.Leaves[0]).Select(p => p.Node).ToList();
        Assert.Equal(new TextBlock("You are terse."), Assert.Single(chain[0].Content));
        Assert.Contains(NodeFlags.System, chain[0].Flags);
        var call = Assert.IsType<ToolCallBlock>(Assert.Single(chain[2].Content));
        Assert.Equal(("call_1", "get_weather", "Paris"), (call.Id, call.Name, (string)call.Arguments!["city"]!));
        var result = Assert.IsType<ToolResultBlock>(Assert.Single(chain[3].Content));
        Assert.Equal(("call_1", "sunny, 21C", false), (result.CallId, ((TextBlock)result.Content.Single()).Text, result.IsError));
        Assert.Equal(new TextBlock("It is sunny and 21C in Paris."), Assert.Single(chain[4].Content));

        var photo = chain[5].Content;
        Assert.Equal(new TextBlock("What animal is in this photo?"), photo[0]);
        var png = Assert.IsType<BlobBlock>(photo[1]);
        Assert.Equal(("image", ContentId.Of(LlmLogsDb.Png), "image/png", "cat.png", (long?)LlmLogsDb.Png.Length), (png.BlobKind, png.Blob, png.MediaType, png.Name, png.Size));
        Assert.Equal(LlmLogsDb.Png, fixture.Archive.GetBlob(png.Blob));
        var url = Assert.IsType<OpaqueBlock>(photo[2]);
        Assert.Equal(("attachment", "https://example.com/cat.jpg"), (url.ItemType, (string)url.Value!["url"]!));

        var b = View(fixture, B);
        var bChain = b.Tree.PathTo(b.Tree.Leaves[0]).Select(p => p.Node).ToList();
        Assert.Equal(["Answer in French.", "Summarize."], bChain[0].Content.Cast<TextBlock>().Select(t => t.Text));
        Assert.Equal(["# README\nHello.", "Summarize this."], bChain[1].Content.Cast<TextBlock>().Select(t => t.Text));
        Assert.Equal("README.md", (string)bChain[1].Meta!["fragments"]![0]!["source"]!);
        Assert.Contains(fixture.Archive.Search("README"), h => h.Conversation == b.Summary.Id && h.Role == "user");
    }

    [Fact]
    public void Import_LogsDb_RawIsTheCanonicalJsonOfTheConversationRows()
    {
        using var fixture = new ImportFixture();
        var db = fixture.Temp("logs.db");
        LlmLogsDb.Create(db);
        DatasetTestData.AssertOk(fixture.Import(db), fixture.Archive);

        var a = View(fixture, A);
        var raw = JsonNode.Parse(fixture.Archive.GetBlob(a.Raw[^1])!)!;
        Assert.True(JsonNode.DeepEquals(Rows(db, $"SELECT * FROM conversations WHERE id = '{A}'")[0], raw["conversation"]));
        Assert.True(JsonNode.DeepEquals(new JsonArray([.. Rows(db, $"SELECT * FROM responses WHERE conversation_id = '{A}' ORDER BY rowid")]), raw["responses"]));
        Assert.True(JsonNode.DeepEquals(new JsonArray([.. Rows(db, "SELECT * FROM tool_calls")]), raw["tool_calls"]));
        Assert.True(JsonNode.DeepEquals(new JsonArray([.. Rows(db, "SELECT * FROM tool_results")]), raw["tool_results"]));
        Assert.True(JsonNode.DeepEquals(new JsonArray([.. Rows(db, "SELECT * FROM prompt_attachments ORDER BY \"order\"")]), raw["prompt_attachments"]));
        Assert.Equal(2, raw["attachments"]!.AsArray().Count);
        Assert.Equal(ContentId.Of(LlmLogsDb.Png), (string)raw["attachments"]![0]!["content"]!["$blob"]!);
        Assert.Equal("get_weather", (string)raw["tools"]![0]!["name"]!);
        Assert.Equal("s1", (string)raw["schemas"]![0]!["id"]!);
        Assert.Null(raw["fragments"]);

        var b = JsonNode.Parse(fixture.Archive.GetBlob(View(fixture, B).Raw[^1])!)!;
        Assert.Equal(2, b["fragments"]!.AsArray().Count);
        Assert.Single(b["system_fragments"]!.AsArray());
    }

    [Fact]
    public void Import_SameDbTwiceAndInsideAZip_AddsNothing()
    {
        using var fixture = new ImportFixture();
        var db = fixture.Temp("logs.db");
        LlmLogsDb.Create(db);
        DatasetTestData.AssertOk(fixture.Import(db), fixture.Archive);
        var before = fixture.Archive.GetStats();

        var again = fixture.Import(db);
        var zip = fixture.Temp("llm.zip");
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            z.CreateEntryFromFile(db, "io.datasette.llm/logs.db");
        }

        var zipped = fixture.Import(zip);

        DatasetTestData.AssertOk(again, fixture.Archive);
        DatasetTestData.AssertOk(zipped, fixture.Archive);
        Assert.Equal((0, 0, 4, 12), (again.NewConversations, again.NewNodes, again.Conversations, again.Nodes));
        Assert.Equal((LlmDbFormat.FormatName, 0, 0, 4, 12), (zipped.Files.Single().Format, zipped.NewConversations, zipped.NewNodes, zipped.Conversations, zipped.Nodes));
        var after = fixture.Archive.GetStats();
        Assert.Equal((before.Conversations, before.Nodes, before.Instances, before.Blobs), (after.Conversations, after.Nodes, after.Instances, after.Blobs));
    }

    [Fact]
    public void Import_OlderDbThenNewer_NewResponsesExtendTheSameChain()
    {
        using var fixture = new ImportFixture();
        var older = fixture.Temp("old/logs.db");
        Directory.CreateDirectory(Path.GetDirectoryName(older)!);
        LlmLogsDb.Create(older, full: false);
        var first = fixture.Import(older);
        DatasetTestData.AssertOk(first, fixture.Archive);
        Assert.Equal((4, 10), (first.Conversations, first.Nodes));
        var oldLeaf = View(fixture, A).Tree.Leaves.Single();

        var db = fixture.Temp("logs.db");
        LlmLogsDb.Create(db);
        var second = fixture.Import(db);

        DatasetTestData.AssertOk(second, fixture.Archive);
        Assert.Equal((0, 2), (second.NewConversations, second.NewNodes));
        var a = View(fixture, A);
        Assert.Equal((7, 1), (a.Tree.Count, a.Tree.Leaves.Count));
        Assert.Equal(oldLeaf, a.Tree.PathTo(a.Tree.Leaves[0])[4].Id);
        Assert.Equal(2, a.Raw.Count);
    }

    [Fact]
    public void Import_SqliteWithoutResponses_IsRefusedAndCommitsNothing()
    {
        using var fixture = new ImportFixture();
        var db = fixture.Temp("other.db");
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'x');";
            cmd.ExecuteNonQuery();
        }

        Assert.Null(DatasetTestData.Detected(db));
        var forced = fixture.ImportAs(LlmDbFormat.FormatName, db);

        var error = Assert.Single(forced.Errors);
        Assert.Contains("other.db", error, StringComparison.Ordinal);
        Assert.Contains("\"responses\"", error, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Archive.GetStats().Conversations);
    }

    [Fact]
    public void Import_ResponseRowOfUnknownShape_NamesTheConversationAndCommitsNothing()
    {
        using var fixture = new ImportFixture();
        var db = fixture.Temp("logs.db");
        LlmLogsDb.Create(db);
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"INSERT INTO responses (id, model, prompt, conversation_id, datetime_utc) VALUES (NULL, 'm', 'p', '{B}', '2025-04-03T00:00:00')";
            cmd.ExecuteNonQuery();
        }

        var summary = fixture.Import(db);

        var error = Assert.Single(summary.Errors);
        Assert.Contains("logs.db", error, StringComparison.Ordinal);
        Assert.Contains($"conversation {B}", error, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Archive.GetStats().Conversations);
    }

    private static Amber.Storage.Reading.ConversationView View(ImportFixture fixture, string sourceId)
        => DatasetTestData.View(fixture.Archive, LlmDbFormat.FormatName, LlmDbFormat.SourceName, sourceId);

    /// <summary>Rows read straight from the database, BLOBs as the raw form writes them.</summary>
    private static List<JsonObject> Rows(string db, string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<JsonObject>();
        while (r.Read())
        {
            var row = new JsonObject();
            for (var i = 0; i < r.FieldCount; i++)
            {
                row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i) switch
                {
                    long l => JsonValue.Create(l),
                    double d => JsonValue.Create(d),
                    string s => JsonValue.Create(s),
                    byte[] b => new JsonObject { ["$blob"] = ContentId.Of(b), ["size"] = b.Length },
                    var o => throw new InvalidOperationException(o.GetType().Name),
                };
            }

            rows.Add(row);
        }

        return rows;
    }
}

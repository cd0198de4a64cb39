using System.Text;
using System.Text.Json.Nodes;
using Amber.Import;
using Amber.Import.Formats.GeminiTakeout;
using Amber.Import.Tests.ChatApps;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.GeminiTakeout;

/// <summary>The real Gemini Apps Takeout activity of ../shared/samples, asserted against figures computed from its JSON, and synthetic activity files.</summary>
public sealed class GeminiTakeoutFormatTests
{
    [Fact]
    public void Detect_MyActivity_IsGeminiTakeoutAndNoOtherFormatClaimsIt()
    {
        var path = ChatAppSamples.PathOf(GeminiTakeoutSource.Sample);

        Assert.Equal(("gemini-takeout", false), ChatAppSamples.Detection(path, "openai-jsonl"));
        Assert.False(ChatAppSamples.Detection(path, "sharegpt").Claims);
    }

    [Fact]
    public void Import_MyActivity_GroupsRecordsByTheThirtyMinuteRuleAndSaysSo()
    {
        var path = ChatAppSamples.PathOf(GeminiTakeoutSource.Sample);
        var records = GeminiTakeoutSource.Records(path);
        var groups = GeminiTakeoutSource.Groups(records);
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        var file = Assert.Single(s.Files);
        Assert.Equal("gemini-takeout", file.Format);
        Assert.Equal((groups.Count, records.Sum(GeminiTakeoutSource.Nodes), groups.Count), (s.Conversations, s.Nodes, s.Instances));
        Assert.Equal((128, 549, 128), (s.Conversations, s.Nodes, s.Instances)); // 308 records, 241 answers, as counted from the file
        Assert.Equal(groups.Count, file.Notes.Of(ImportNoteKind.Decision)[GeminiTakeoutFormat.GroupingNote]);
        Assert.Equal(groups.Count(g => g.Any(r => r["attachedFiles"] is not null || r["imageFile"] is not null)), file.Notes.Of(ImportNoteKind.Decision)[GeminiTakeoutFormat.FilesNotFoundNote]); // the sample holds MyActivity.json alone
        var stats = f.Archive.GetStats();
        Assert.Equal((groups.Count, records.Sum(GeminiTakeoutSource.Nodes), groups.Count), (stats.Conversations, stats.Nodes, stats.Instances));

        var views = ChatAppSamples.BySourceId(f);
        var text = Encoding.UTF8.GetString(File.ReadAllBytes(path));
        foreach (var group in groups)
        {
            var view = views[(string)group[0]["time"]!];
            var chain = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
            var expected = group.SelectMany(r => new[] { Prompt(r) }.Concat((r["safeHtmlItem"] as JsonArray ?? []).Select(_ => ("assistant", (string?)null)))).ToList();
            Assert.Equal(expected.Select(e => e.Item1), chain.Select(n => n.Role));
            Assert.Equal(expected.Where(e => e.Item2 is not null).Select(e => e.Item2), chain.Where(n => n.Role == "user").Select(n => n.SearchText));
            foreach (var answer in chain.Where(n => n.Role == "assistant"))
            {
                var html = (string)answer.Meta!["html"]!;
                Assert.StartsWith("<", html, StringComparison.Ordinal);
                Assert.True(answer.SearchText.Length > 0 || html.Contains("<img", StringComparison.Ordinal)); // an answer that is only a generated image has no text
                foreach (var tag in new[] { "<p>", "</p>", "<strong>", "<li>", "<h2>" })
                {
                    // Tags are dropped: the only ones left in the text are those the HTML escaped (code shown in the answer).
                    Assert.Equal(Count(html, System.Net.WebUtility.HtmlEncode(tag)), Count(answer.SearchText, tag));
                }
                Assert.True((bool)answer.Meta["model_unknown"]!);
            }

            // The raw blob is the group's records, each its exact bytes, in time order.
            var rawBytes = f.Archive.GetBlob(view.Raw[^1])!;
            var raw = JsonNode.Parse(rawBytes)!.AsArray();
            Assert.Equal(group.Count, raw.Count);
            Assert.All(group.Zip(raw), p => Assert.True(JsonNode.DeepEquals(p.First, p.Second)));
            Assert.All(Elements(rawBytes), e => Assert.Contains(e, text, StringComparison.Ordinal));
        }

        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_MyActivityTwiceAndShuffled_AddsNothing()
    {
        var path = ChatAppSamples.PathOf(GeminiTakeoutSource.Sample);
        var records = GeminiTakeoutSource.Records(path);
        using var f = new ImportFixture();
        var shuffled = f.Temp("shuffled.json");
        File.WriteAllText(shuffled, new JsonArray([.. records.Select((r, i) => (r, k: (i * 7919) % records.Count)).OrderBy(p => p.k).Select(p => p.r.DeepClone())]).ToJsonString());

        f.AssertReimportAddsNothing(path);
        var again = f.Import(shuffled);

        Assert.Empty(again.Errors);
        Assert.Equal((128, 0, 0), (again.Conversations, again.NewConversations, again.NewNodes)); // records are put in time order before grouping
    }

    [Fact]
    public void Import_TruncatedMyActivity_RefusedNamingFileAndByte()
    {
        var path = ChatAppSamples.PathOf(GeminiTakeoutSource.Sample);
        var bytes = File.ReadAllBytes(path);
        using var f = new ImportFixture();
        var cut = f.Temp("cut.json");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        var s = f.ImportAs("gemini-takeout", cut);

        var error = Assert.Single(s.Errors);
        Assert.StartsWith(cut + ": ", error, StringComparison.Ordinal);
        Assert.Contains("byte", error, StringComparison.Ordinal);
        Assert.Equal(0, f.Archive.GetStats().Conversations);
    }

    [Fact]
    public void Import_SyntheticActivity_SplitsOnlyOverThirtyMinutesAndAttachesFilesBesideIt()
    {
        using var f = new ImportFixture();
        var dir = f.Temp("takeout");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "photo.jpg"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(dir, "made.png"), [4, 5]);
        var file = Path.Combine(dir, "MyActivity.json");
        JsonObject Record(string time, string title, string? html = null, params string[] files)
        {
            var r = new JsonObject { ["header"] = "Gemini Apps", ["title"] = title, ["time"] = time, ["products"] = new JsonArray("Gemini Apps") };
            if (html is not null)
            {
                r["safeHtmlItem"] = new JsonArray(new JsonObject { ["html"] = html });
            }

            if (files.Length > 0)
            {
                r["attachedFiles"] = new JsonArray([.. files.Select(n => (JsonNode)n)]);
            }

            return r;
        }

        // Newest first, as Takeout writes it: 10:00, 10:30 (exactly 30 minutes: same conversation), 11:00:01 (a new one).
        File.WriteAllText(file, new JsonArray(
            Record("2025-03-01T11:00:01Z", "Prompted third", "<p>c</p>"),
            Record("2025-03-01T10:30:00.5Z", "Used an Assistant feature"),
            Record("2025-03-01T10:00:00.5Z", "Prompted first &amp; best", "<p>Hello &amp; <strong>world</strong></p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<pre><code>x  = 1\ny</code></pre><img src=\"made.png\">", "made.png", "photo.jpg")).ToJsonString());

        var s = f.Import(dir);

        Assert.Empty(s.Errors);
        Assert.Equal((2, 5, 2), (s.Conversations, s.Nodes, s.Instances));
        Assert.Equal(2, Assert.Single(s.Files).Notes.Of(ImportNoteKind.Decision)[GeminiTakeoutFormat.GroupingNote]);
        Assert.False(s.Files[0].Notes.Of(ImportNoteKind.Decision).ContainsKey(GeminiTakeoutFormat.FilesNotFoundNote));
        var views = ChatAppSamples.BySourceId(f);
        var first = views["2025-03-01T10:00:00.5Z"];
        var chain = first.Tree.PathTo(Assert.Single(first.Tree.Leaves)).Select(p => p.Node).ToList();
        Assert.Equal(["user", "assistant", "activity"], chain.Select(n => n.Role));
        Assert.Equal("first &amp; best", chain[0].SearchText.Split('\n')[0]); // the title is plain text, not HTML
        Assert.Equal("Hello & world\n\n- a\n- b\n\nx  = 1\ny", ((Amber.Core.Model.TextBlock)chain[1].Content[0]).Text);
        Assert.Equal(("photo.jpg", "made.png"), (((Amber.Core.Model.BlobBlock)chain[0].Content[1]).Name, ((Amber.Core.Model.BlobBlock)chain[1].Content[1]).Name));
        Assert.Equal(new byte[] { 1, 2, 3 }, f.Archive.GetBlob(((Amber.Core.Model.BlobBlock)chain[0].Content[1]).Blob));
        Assert.Equal(("2025-03-01T10:00:00.5Z", "first &amp; best"), (first.Record.Created, first.Record.Title));
        Assert.Single(views["2025-03-01T11:00:01Z"].Tree.Nodes.Values, n => n.Role == "user");
    }

    [Fact]
    public void Import_LaterTakeoutContinuingAConversation_JoinsIt()
    {
        using var f = new ImportFixture();
        var older = f.Temp("older.json");
        var newer = f.Temp("newer.json");
        var a = """{"header":"Gemini Apps","title":"Prompted hi","time":"2025-03-01T10:00:00.000Z","safeHtmlItem":[{"html":"<p>hello</p>"}]}""";
        var b = """{"header":"Gemini Apps","title":"Prompted more","time":"2025-03-01T10:20:00.000Z","safeHtmlItem":[{"html":"<p>sure</p>"}]}""";
        File.WriteAllText(older, $"[{a}]");
        File.WriteAllText(newer, $"[{b},\n{a}]");

        var first = f.Import(older);
        var second = f.Import(newer);

        Assert.Empty(first.Errors.Concat(second.Errors));
        Assert.Equal((1, 2), (first.NewConversations, first.NewNodes));
        Assert.Equal((0, 2), (second.NewConversations, second.NewNodes));
        Assert.Equal((1, 4, 1), (f.Archive.GetStats().Conversations, f.Archive.GetStats().Nodes, f.Archive.GetStats().Instances));
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    /// <summary>The exact text of each element of a JSON array.</summary>
    private static List<string> Elements(byte[] array)
    {
        var elements = new List<string>();
        var reader = new System.Text.Json.Utf8JsonReader(array);
        reader.Read();
        while (reader.Read() && reader.TokenType != System.Text.Json.JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            elements.Add(Encoding.UTF8.GetString(array, start, (int)reader.BytesConsumed - start));
        }

        return elements;
    }

    private static (string, string?) Prompt(JsonObject record)
    {
        var title = (string)record["title"]!;
        return title.StartsWith("Prompted", StringComparison.Ordinal) ? ("user", title.Length > 8 ? title[9..] : "") : ("activity", null);
    }
}

using Amber.Core.Model;
using Amber.Storage.Reading;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary>
/// Search over the contentless full-text index: hits found by FTS5, snippets cut from the nodes the segments hold, with
/// the same words marked that FTS5 matched (its unicode61 tokenizer, diacritics removed, case folded). Run again on
/// encrypted archives (<see cref="Encryption.EncryptedSearchTests"/>), whose index holds keyed word hashes.
/// </summary>
public class SearchTests
{
    /// <summary>The options every archive of these tests is made and opened with.</summary>
    protected virtual ArchiveOptions Configure(ArchiveOptions options) => options;

    /// <summary>Where the archives of these tests live (an encrypted one needs the local disk, for keys.db).</summary>
    protected virtual FileSystemKind Kind(FileSystemKind preferred) => preferred;

    private static readonly string LongTail = string.Join(' ', Enumerable.Range(0, 60).Select(i => "filler" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("The café served crème brûlée at noon.", "creme", "«crème»")]
    [InlineData("The café served crème brûlée at noon.", "CAFÉ", "«café»")]
    [InlineData("Résumé REVIEW tomorrow", "resume review", "«Résumé» «REVIEW»")]
    [InlineData("会议 记录：东京 タワー の 写真", "东京", "«东京»")]
    [InlineData("Привет, мир! Как дела?", "мир", "«мир»")]
    [InlineData("the copper kettle and the kettle of copper", "\"copper kettle\"", "the «copper kettle» and the kettle of copper")]
    [InlineData("state-of-the-art (model) v2.5", "\"state of the art\"", "«state-of-the-art»")]
    public void Search_OddText_MarksWhatTheIndexMatched(string text, string query, string expected)
    {
        using var t = new TestArchives(Kind(FileSystemKind.InMemory));
        using var archive = t.Init(Configure);
        var id = Commit(archive, "odd", new TextBlock(text));

        var hit = Assert.Single(archive.Search(query));
        Assert.Equal(id, hit.Node);
        Assert.Contains(expected, hit.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_ATermAtTheVeryStart_HasNoLeadingEllipsis_AndTheCutTailHasOne()
    {
        using var t = new TestArchives(Kind(FileSystemKind.InMemory));
        using var archive = t.Init(Configure);
        Commit(archive, "start", new TextBlock("Zephyr first. " + LongTail));

        var hit = Assert.Single(archive.Search("zephyr", snippetTokens: 8));
        Assert.StartsWith("«Zephyr» first. filler0", hit.Snippet, StringComparison.Ordinal);
        Assert.EndsWith("…", hit.Snippet, StringComparison.Ordinal);
        Assert.Equal(8, hit.Snippet.Split(' ').Length);
    }

    [Fact]
    public void Search_ATermAtTheVeryEnd_EndsTheSnippet_WithALeadingEllipsis()
    {
        using var t = new TestArchives(Kind(FileSystemKind.InMemory));
        using var archive = t.Init(Configure);
        Commit(archive, "end", new TextBlock(LongTail + " last word zephyr"));

        var hit = Assert.Single(archive.Search("zephyr", snippetTokens: 8));
        Assert.StartsWith("…", hit.Snippet, StringComparison.Ordinal);
        Assert.EndsWith("last word «zephyr»", hit.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_ATermOnlyInAToolResult_IsFoundAndMarked()
    {
        using var t = new TestArchives(Kind(FileSystemKind.InMemory));
        using var archive = t.Init(Configure);
        var id = Commit(archive, "tool", new ToolResultBlock("call-1", [new TextBlock("process exited with code 137 (oomkilled)")]));

        var hit = Assert.Single(archive.Search("oomkilled"));
        Assert.Equal(id, hit.Node);
        Assert.Equal("tool", hit.Role);
        Assert.Contains("(«oomkilled»", hit.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_CallerMarkers_SurroundEachMatch()
    {
        using var t = new TestArchives(Kind(FileSystemKind.InMemory));
        using var archive = t.Init(Configure);
        Commit(archive, "markers", new TextBlock("one lantern, two lanterns, three LANTERN"));

        var hit = Assert.Single(archive.Search("lantern", 10, SearchOrder.Rank, "<mark>", "</mark>"));
        Assert.Equal("one <mark>lantern</mark>, two lanterns, three <mark>LANTERN</mark>", hit.Snippet);
    }

    [Fact]
    public void Search_Newest_GivesTheMostRecentlyArchivedFirst_AndStopsAtTheLimit()
    {
        using var t = new TestArchives(Kind(FileSystemKind.InMemory));
        using var archive = t.Init(Configure);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            // Earlier messages mention the word more often, so ranked order differs from archive order.
            ids.Add(Commit(archive, "c" + i, new TextBlock(string.Join(' ', Enumerable.Repeat("zephyr", 6 - i)) + " and other words " + i)));
        }

        var newest = archive.Search("zephyr", 4, SearchOrder.Newest);
        Assert.Equal(ids.AsEnumerable().Reverse().Take(4), newest.Select(h => h.Node));
        var ranked = archive.Search("zephyr", 6);
        Assert.Equal(ids[0], ranked[0].Node);
        Assert.Equal(ids[^1], ranked[^1].Node);
    }

    [Fact]
    public void Search_Ranked_OrdersByRelevance_MoreOccurrencesAndShorterMessagesFirst()
    {
        using var t = new TestArchives(Kind(FileSystemKind.InMemory));
        using var archive = t.Init(Configure);
        // The index keeps no counts (detail=none): the order below needs each word's count read from the text and
        // each message's length from the index, as BM25 weighs them.
        var once = Commit(archive, "once", new TextBlock("the harbor lantern and " + LongTail));
        var often = Commit(archive, "often", new TextBlock("lantern harbor lantern harbor lantern and " + LongTail));
        var shortOnce = Commit(archive, "short", new TextBlock("harbor lantern"));
        Commit(archive, "other", new TextBlock("nothing to see here"));

        var ranked = archive.Search("lantern harbor", 10);
        Assert.Equal([shortOnce, often, once], ranked.Select(h => h.Node));
        Assert.True(ranked[0].Rank < ranked[1].Rank && ranked[1].Rank < ranked[2].Rank, string.Join(", ", ranked.Select(h => h.Rank)));
        Assert.All(ranked, h => Assert.True(h.Rank < 0, "a BM25 score, negated as FTS5's rank"));
    }

    [Theory]
    [InlineData(SearchOrder.Rank)]
    [InlineData(SearchOrder.Newest)]
    public void Search_APhrase_MatchesOnlyThePhrase_NotItsWordsApart(SearchOrder order)
    {
        using var t = new TestArchives(Kind(FileSystemKind.InMemory));
        using var archive = t.Init(Configure);
        var phrase = Commit(archive, "phrase", new TextBlock("we polished the Copper-Kettle today"));
        // Newer messages holding both words, but not as the phrase: more than one batch of candidates (the limit) to skip.
        for (var i = 0; i < 5; i++)
        {
            Commit(archive, "apart" + i, new TextBlock("the kettle of copper, number " + i));
        }

        var hit = Assert.Single(archive.Search("\"copper kettle\"", 2, order));
        Assert.Equal(phrase, hit.Node);
        Assert.Contains("«Copper-Kettle»", hit.Snippet, StringComparison.Ordinal);
        Assert.Equal(6, archive.Search("copper kettle", 10, order).Count);
        Assert.Empty(archive.Search("\"kettle copper polished\"", 10, order));
    }

    [Fact]
    public void Search_ANodeInTwoConversations_GivesAHitForEach()
    {
        using var t = new TestArchives(Kind(FileSystemKind.InMemory));
        using var archive = t.Init(Configure);
        var batch = new CommitBatch("test");
        var node = new Node { Role = "user", Content = [new TextBlock("shared zephyr question")] };
        var a = batch.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = "a", Title = "A" });
        var b = batch.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = "b", Title = "B" });
        var id = a.AddNode(node);
        b.AddNode(node);
        archive.Commit(batch);

        var hits = archive.Search("zephyr", 10, SearchOrder.Newest);
        Assert.Equal(2, hits.Count);
        Assert.All(hits, h => Assert.Equal(id, h.Node));
        Assert.Equal(new[] { a.Id, b.Id }.Order(StringComparer.Ordinal), hits.Select(h => h.Conversation).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Search_AfterReopen_ReadsSnippetsFromTheSegments()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init(Configure))
        {
            Commit(archive, "r", new TextBlock("The river lantern glows"));
        }

        await using var reopened = t.Open(o => Configure(o) with { ReadOnly = true });
        Assert.Equal("The river «lantern» glows", Assert.Single(reopened.Search("lantern")).Snippet);
    }

    private static string Commit(Archive archive, string sourceId, ContentBlock block)
    {
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "s", SourceId = sourceId, Title = sourceId });
        var role = block is ToolResultBlock ? "tool" : "user";
        var id = part.AddNode(new Node { Role = role, Content = [block] });
        archive.Commit(batch);
        return id;
    }
}

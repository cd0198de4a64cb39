using System.Text.RegularExpressions;
using Amber.Core.Model;
using Amber.Import.Formats.HhRlhf;
using Amber.Import.Tests.ShareGpt;

namespace Amber.Import.Tests.HhRlhf;

public sealed partial class HhRlhfFormatTests
{
    private const string Harmless = "hh-rlhf-harmless-base/test.part.jsonl";

    // The corpus and samples parts are disjoint slices of the same test split (shared/samples/PROVENANCE.md).
    [Theory]
    [InlineData("corpus/" + Harmless, 1542, 9255, 3084)]
    [InlineData("samples/" + Harmless, 770, 4578, 1540)]
    public void Import_HarmlessBase_CountsBranchesAndRawMatchTheSource(string file, int records, int nodes, int leaves)
    {
        var path = ImportFixture.Shared(file);
        var source = DatasetTestData.Records(path);
        var expected = source.Select(r => Expected((string)r.Record["chosen"]!, (string)r.Record["rejected"]!)).ToList();
        Assert.Equal((records, nodes, leaves), (source.Count, expected.Sum(e => e.Nodes), expected.Sum(e => e.Leaves)));

        using var fixture = new ImportFixture();
        var summary = fixture.Import(path);

        DatasetTestData.AssertOk(summary, fixture.Archive);
        Assert.Equal(HhRlhfFormat.FormatName, Assert.Single(summary.Files).Format);
        Assert.Equal((records, nodes, leaves, records), (summary.Conversations, summary.Nodes, summary.Instances, summary.NewConversations));
        var stats = fixture.Archive.GetStats();
        Assert.Equal((records, nodes, leaves), ((int)stats.Conversations, (int)stats.Nodes, (int)stats.Instances));

        var ids = DatasetTestData.SourceIds(source.Select(r => r.Text));
        for (var i = 0; i < source.Count; i += 97)
        {
            var view = DatasetTestData.View(fixture.Archive, HhRlhfFormat.FormatName, HhRlhfFormat.SourceName, ids[i]);
            Assert.Equal(expected[i].Nodes, view.Tree.Count);
            Assert.Equal(expected[i].Leaves, view.Tree.Leaves.Count);
            foreach (var leaf in view.Tree.Leaves)
            {
                var chain = view.Tree.PathTo(leaf).Select(p => p.Node).ToList();
                var side = chain.Select(n => (string?)n.Meta!["preference"]).Single(p => p is not null)!;
                var turns = Split((string)source[i].Record[side]!);
                Assert.Equal(turns.Select(t => t.Role == "Human" ? "user" : "assistant"), chain.Select(n => n.Role));
                Assert.Equal(turns.Select(t => t.Text), chain.Select(n => n.Content.OfType<TextBlock>().SingleOrDefault()?.Text ?? string.Empty));
            }

            DatasetTestData.AssertRawEquals(fixture.Archive, view, source[i].Record);
        }
    }

    [Fact]
    public void Import_OlderSliceThenFullThenFullAgain_AddsOnlyWhatIsNew()
    {
        var path = ImportFixture.Corpus(Harmless);
        var lines = File.ReadAllLines(path);
        using var fixture = new ImportFixture();
        var older = fixture.Temp("older.jsonl");
        File.WriteAllLines(older, lines.Take(1000));
        DatasetTestData.AssertOk(fixture.Import(older), fixture.Archive);

        var full = fixture.Import(path);
        DatasetTestData.AssertOk(full, fixture.Archive);
        Assert.Equal(lines.Length - 1000, full.NewConversations);
        DatasetTestData.AssertReimportAddsNothing(fixture, path);
    }

    [Fact]
    public void Import_IdenticalPrefixAndOddTranscripts_ForkWhereTheyDiffer()
    {
        using var fixture = new ImportFixture();
        var path = fixture.Temp("pairs.jsonl");
        File.WriteAllLines(path,
        [
            """{"chosen": "\n\nHuman: Hi\n\nAssistant: Hello", "rejected": "\n\nHuman: Hi\n\nAssistant: Hello"}""",
            """{"chosen": "\n\nHuman: Hi\n\nAssistant: Hello\n\nHuman: Bye\n\nAssistant: Bye", "rejected": "\n\nHuman: Hi\n\nAssistant: Hello"}""",
            """{"chosen": "Human: A\n\nAssistant:", "rejected": "Human: A\n\nAssistant: no", "split": "test"}""",
            """{"chosen": "Note\n\nHuman: A\n\nAssistant: B", "rejected": "Note\n\nHuman: A\n\nAssistant: C"}""",
        ]);

        var summary = fixture.Import(path);

        DatasetTestData.AssertOk(summary, fixture.Archive);
        Assert.Equal(HhRlhfFormat.FormatName, summary.Files.Single().Format);
        var ids = DatasetTestData.SourceIds(File.ReadAllLines(path));
        var views = ids.Select(id => DatasetTestData.View(fixture.Archive, HhRlhfFormat.FormatName, HhRlhfFormat.SourceName, id)).ToList();
        Assert.Equal([(2, 1), (4, 1), (3, 2), (4, 2)], views.Select(v => (v.Tree.Count, v.Tree.Leaves.Count)));
        Assert.DoesNotContain(views[0].Tree.Nodes.Values, n => n.Meta!["preference"] is not null);
        var empty = views[2].Tree.Nodes.Values.Single(n => n.Flags.Contains(NodeFlags.Empty));
        Assert.Equal("chosen", (string)empty.Meta!["preference"]!);
        Assert.Equal("test", (string)views[2].Record.Meta!["split"]!);
        var preamble = views[3].Tree.Nodes[views[3].Tree.Roots.Single()];
        Assert.Equal(("preamble", "Note"), (preamble.Role, ((TextBlock)preamble.Content[0]).Text));
    }

    [Fact]
    public void Import_RecordOfUnknownShape_NamesItAndCommitsNothing()
    {
        using var fixture = new ImportFixture();
        var bad = fixture.Temp("bad.jsonl");
        File.WriteAllLines(bad,
        [
            """{"chosen": "\n\nHuman: Hi\n\nAssistant: Hello", "rejected": "\n\nHuman: Hi\n\nAssistant: Hey"}""",
            """{"chosen": "\n\nHuman: Hi\n\nAssistant: Hello", "rejected": ["not", "a", "transcript"]}""",
        ]);

        var summary = fixture.Import(bad);

        var error = Assert.Single(summary.Errors);
        Assert.Contains("bad.jsonl", error, StringComparison.Ordinal);
        Assert.Contains("line 2", error, StringComparison.Ordinal);
        Assert.Contains("rejected", error, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Archive.GetStats().Conversations);
    }

    [Fact]
    public void Turns_Transcript_SplitsOnTheSpeakerMarkers()
    {
        Assert.Equal([("user", "a\nb"), ("assistant", "c"), ("user", "")], HhRlhfFormat.Turns("\n\nHuman: a\nb\n\nAssistant: c\n\nHuman:"));
        Assert.Equal([("preamble", "plain")], HhRlhfFormat.Turns("plain"));
    }

    private static (int Nodes, int Leaves) Expected(string chosen, string rejected)
    {
        var c = Split(chosen);
        var r = Split(rejected);
        var common = 0;
        while (common < c.Count && common < r.Count && c[common] == r[common])
        {
            common++;
        }

        var nodes = c.Count + r.Count - common;
        var leaves = (common == c.Count ? 0 : 1) + (common == r.Count ? 0 : 1);
        return (nodes, Math.Max(1, leaves));
    }

    private static List<(string Role, string Text)> Split(string transcript)
    {
        var parts = Marker().Split(transcript);
        Assert.Equal(string.Empty, parts[0]);
        return [.. Enumerable.Range(0, parts.Length / 2).Select(i => (parts[(2 * i) + 1], parts[(2 * i) + 2]))];
    }

    [GeneratedRegex("\n\n(Human|Assistant): ?")]
    private static partial Regex Marker();
}

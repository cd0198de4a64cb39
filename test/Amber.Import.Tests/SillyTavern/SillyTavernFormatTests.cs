using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Tests.ChatApps;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.SillyTavern;

/// <summary>The real SillyTavern chat of ../shared/samples, asserted against figures computed from its lines, and a synthetic chat with swipes.</summary>
public sealed class SillyTavernFormatTests
{
    private const string Sample = "sillytavern-chat-early/1673323621108.jsonl";

    /// <summary>A chat written the way SillyTavern 1.12 writes one: the reply has three swipes, the second chosen, each with its own model.</summary>
    private const string Swiped = """
        {"user_name":"Ann","character_name":"Bot","create_date":"2024-05-01@12h00m00s","chat_metadata":{"integrity":"x1"}}
        {"name":"Bot","is_user":false,"send_date":"2024-05-01T12:00:00.000Z","mes":"Hi, I am Bot.","extra":{}}
        {"name":"Ann","is_user":true,"send_date":"2024-05-01T12:00:05.000Z","mes":"Tell me a joke.","extra":{}}
        {"name":"Bot","is_user":false,"send_date":"2024-05-01T12:00:09.000Z","mes":"Joke two.","extra":{"api":"openai","model":"gpt-4o","token_count":4,"reasoning":"think"},"gen_started":"2024-05-01T12:00:06.000Z","gen_finished":"2024-05-01T12:00:09.000Z","swipe_id":1,"swipes":["Joke one.","Joke two.","Joke three."],"swipe_info":[{"send_date":"2024-05-01T12:00:07.000Z","gen_started":"2024-05-01T12:00:06.000Z","gen_finished":"2024-05-01T12:00:07.500Z","extra":{"api":"openai","model":"gpt-4o-mini","token_count":3}},{"send_date":"2024-05-01T12:00:09.000Z","extra":{"api":"openai","model":"gpt-4o","token_count":4}},{"send_date":"2024-05-01T12:00:11.000Z","extra":{"api":"claude","model":"claude-3-5-sonnet"}}]}
        {"name":"Ann","is_user":true,"send_date":"2024-05-01T12:01:00.000Z","mes":"Ha.","extra":{}}

        """;

    [Fact]
    public void Detect_SampleChat_IsSillyTavern()
    {
        var path = ChatAppSamples.PathOf(Sample);

        Assert.Equal(("sillytavern", false), ChatAppSamples.Detection(path, "openai-jsonl"));
    }

    [Fact]
    public void Import_SampleChat_CountsNamesAndRawLinesMatchTheFile()
    {
        var path = ChatAppSamples.PathOf(Sample);
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var messages = lines.Skip(1).ToList();
        var nodes = messages.Sum(m => Math.Max(1, (m["swipes"] as JsonArray)?.Count ?? 0));
        var leaves = 1 + messages.Sum(m => Math.Max(0, ((m["swipes"] as JsonArray)?.Count ?? 0) - 1));
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("sillytavern", Assert.Single(s.Files).Format);
        Assert.Equal((1, nodes, leaves), (s.Conversations, s.Nodes, s.Instances));
        Assert.Equal((1, 3, 1), (s.Conversations, s.Nodes, s.Instances)); // PROVENANCE.md's figures
        var view = ChatAppSamples.Single(f);
        Assert.Equal(("sillytavern", (string)lines[0]["character_name"]!), (view.Record.Format, view.Record.Title));
        Assert.Equal(((string)lines[0]["user_name"]!, (string)lines[0]["character_name"]!), ((string)view.Record.Meta!["user_name"]!, (string)view.Record.Meta["character_name"]!));
        var chain = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
        Assert.Equal(messages.Select(m => ((bool)m["is_user"]! ? "user" : "assistant", (string)m["mes"]!, (string)m["name"]!)), chain.Select(n => (n.Role, n.SearchText, (string)n.Meta!["name"]!)));
        Assert.All(chain.Where(n => n.Role == "assistant"), n => Assert.True((bool)n.Meta!["model_unknown"]!)); // this early file names no model
        Assert.All(chain, n => Assert.Null(n.Created)); // "2023-4-21 @20h 02m 47s 124ms" has no zone: kept in meta only
        Assert.Equal((string)messages[0]["send_date"]!, (string)chain[0].Meta!["send_date"]!);
        Assert.Equal(File.ReadAllBytes(path), f.Archive.GetBlob(view.Raw[^1]));
        f.AssertReimportAddsNothing(path);
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_SwipedReply_EachSwipeASiblingTheChosenOneTheMainPathWithItsModel()
    {
        using var f = new ImportFixture();
        var path = f.Temp("Bot - 2024-05-01@12h00m00s.jsonl");
        File.WriteAllText(path, Swiped);

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal((1, 6, 3), (s.Conversations, s.Nodes, s.Instances));
        var view = ChatAppSamples.Single(f);
        Assert.Equal("Bot/2024-05-01@12h00m00s", view.Record.SourceId);
        var last = view.Tree.Nodes.Values.Single(n => n.SearchText == "Ha.");
        var main = view.Tree.PathTo(view.Tree.Nodes.Single(p => p.Value == last).Key).Select(p => p.Node).ToList();
        Assert.Equal(["Hi, I am Bot.", "Tell me a joke.", "think\nJoke two.", "Ha."], main.Select(n => n.SearchText));
        var swipes = view.Tree.Nodes.Values.Where(n => n.Meta?["swipe_index"] is not null).OrderBy(n => (int)n.Meta!["swipe_index"]!).ToList();
        Assert.Equal(3, swipes.Select(n => n.Parent).Distinct().Count() == 1 ? swipes.Count : -1);
        Assert.Equal(["Joke one.", "Joke two.", "Joke three."], swipes.Select(n => n.Content.OfType<TextBlock>().Single().Text));
        Assert.Equal(["gpt-4o-mini", "gpt-4o", "claude-3-5-sonnet"], swipes.Select(n => view.Models[n.Generation!.Model].Requested));
        Assert.Equal(["openai", "openai", "claude"], swipes.Select(n => view.Models[n.Generation!.Model].Provider));
        Assert.Equal(new int?[] { 3, 4, null }, swipes.Select(n => (int?)n.Generation!.Usage?["token_count"]));
        Assert.Equal(new long?[] { 1500, 3000, null }, swipes.Select(n => n.Generation!.TotalMs));
        Assert.Equal(["2024-05-01T12:00:07Z", "2024-05-01T12:00:09Z", "2024-05-01T12:00:11Z"], swipes.Select(n => n.Created));
        Assert.Equal("think", swipes[1].Content.OfType<ThinkingBlock>().Single().Text);
        Assert.Equal("Ann", (string)main[1].Meta!["name"]!);
        f.AssertReimportAddsNothing(path);
    }

    /// <summary>
    /// The sample's own lines, reversed or cut inside its last message, are refused naming the line, as ARCHITECTURE §11
    /// documents: messages carry no ids and are chained in file order, so a reordered chat cannot be told from another one.
    /// </summary>
    [Fact]
    public void Import_SampleChatReversedOrCutInsideItsLastMessage_RefusedNamingFileAndLine()
    {
        var path = ChatAppSamples.PathOf(Sample);
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var text = File.ReadAllText(path);
        using var f = new ImportFixture();
        var reversed = f.Temp("reversed.jsonl");
        File.WriteAllLines(reversed, Enumerable.Reverse(lines));
        var cut = f.Temp("cut.jsonl");
        File.WriteAllText(cut, text[..(text.Length - (lines[^1].Length / 2))]);

        var a = f.ImportAs("sillytavern", reversed);
        var b = f.ImportAs("sillytavern", cut);

        Assert.StartsWith(reversed + ": line 1: not a SillyTavern chat", Assert.Single(a.Errors), StringComparison.Ordinal);
        Assert.StartsWith(cut + ": line " + lines.Count, Assert.Single(b.Errors), StringComparison.Ordinal);
        Assert.Equal(0, f.Archive.GetStats().Conversations);
    }

    [Fact]
    public void Import_ShuffledOrTruncatedChat_RefusedNamingFileAndLine()
    {
        using var f = new ImportFixture();
        var lines = Swiped.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var shuffled = f.Temp("shuffled.jsonl");
        File.WriteAllLines(shuffled, [lines[2], lines[0], lines[1], lines[3], lines[4]]);
        var cut = f.Temp("cut.jsonl");
        File.WriteAllText(cut, Swiped[..(Swiped.Length - 12)]);

        var a = f.ImportAs("sillytavern", shuffled);
        var b = f.ImportAs("sillytavern", cut);

        Assert.StartsWith(shuffled + ": line 1: not a SillyTavern chat", Assert.Single(a.Errors), StringComparison.Ordinal);
        Assert.StartsWith(cut + ": line 5", Assert.Single(b.Errors), StringComparison.Ordinal);
        Assert.Equal(0, f.Archive.GetStats().Conversations);
    }
}

using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Reading;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.GeminiCli;

/// <summary>The real Gemini CLI session files and logs.json of ../shared/samples, asserted against figures taken from their JSON.</summary>
public sealed class GeminiCliFormatTests
{
    public static TheoryData<string> Sessions => GeminiCliSamples.Sessions;

    private static ConversationView Single(ImportFixture f)
        => f.Archive.GetConversation(Assert.Single(f.Archive.ListConversations(1000)).Id)!;

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Import_SessionFile_CountsModelsAndUsageMatchSource(string file)
    {
        var path = GeminiCliSamples.PathOf(file);
        var session = GeminiCliSamples.Load(path).AsObject();
        var messages = session["messages"]!.AsArray().Select(m => m!.AsObject()).ToList();
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("gemini-cli", Assert.Single(s.Files).Format); // detected
        Assert.Equal((1, messages.Count, 1), (s.Conversations, s.Nodes, s.Instances));
        var view = Single(f);
        Assert.Equal(("gemini-cli", "gemini-cli", (string)session["sessionId"]!), (view.Record.Format, view.Record.Source, view.Record.SourceId));
        Assert.Equal((string?)session["projectHash"], (string?)view.Record.Meta!["projectHash"]);
        var chain = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
        Assert.Equal(messages.Select(m => (string)m["id"]!), chain.Select(n => (string)n.Meta!["source_id"]!));
        Assert.Equal(messages.Select(m => (string)m["type"]! == "gemini" ? "assistant" : (string)m["type"]!), chain.Select(n => n.Role));
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            var g = chain[i].Generation;
            Assert.Equal((string?)m["model"], g is null ? null : view.Models[g.Model].Requested);
            Assert.True(JsonNode.DeepEquals(m["tokens"], g?.Usage), $"usage of message {i}");
            Assert.Equal(m["thoughts"]?.AsArray().Count ?? 0, chain[i].Content.OfType<ThinkingBlock>().Count());
            var calls = m["toolCalls"]?.AsArray().Select(c => c!.AsObject()).ToList() ?? [];
            Assert.Equal(calls.Select(c => ((string)c["id"]!, (string)c["name"]!)), chain[i].Content.OfType<ToolCallBlock>().Select(c => (c.Id!, c.Name)));
            Assert.True(JsonNode.DeepEquals(new JsonArray([.. calls.Select(c => c["args"]!.DeepClone())]), new JsonArray([.. chain[i].Content.OfType<ToolCallBlock>().Select(c => c.Arguments!.DeepClone())])));
            var results = chain[i].Content.OfType<ToolResultBlock>().ToList();
            Assert.Equal(calls.Select(c => (string)c["id"]!), results.Select(r => r.CallId!));
            Assert.Equal(calls.Select(c => (string?)c["status"] == "error"), results.Select(r => r.IsError));
            Assert.Equal(
                calls.Select(c => (string?)c["result"]![0]!["functionResponse"]!["response"]!["output"]),
                results.Select(r => (r.Content.FirstOrDefault() as TextBlock)?.Text));
        }

        Assert.NotEmpty(view.Models);
        Assert.All(view.Models.Values, m => Assert.Equal("google", m.Provider));
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Import_SessionFileTwice_AddsNothingAndRawIsTheFile(string file)
    {
        var path = GeminiCliSamples.PathOf(file);
        using var f = new ImportFixture();
        f.AssertReimportAddsNothing(path);
        Assert.True(JsonNode.DeepEquals(GeminiCliSamples.Load(path), JsonNode.Parse(f.Archive.GetBlob(Single(f).Raw[^1])!)));
    }

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Import_GrowingSessionFile_NewMessagesJoinTheConversation(string file)
    {
        var path = GeminiCliSamples.PathOf(file);
        var session = GeminiCliSamples.Load(path).AsObject();
        var count = session["messages"]!.AsArray().Count;
        var early = session.DeepClone().AsObject();
        var kept = early["messages"]!.AsArray();
        while (kept.Count > count / 2)
        {
            kept.RemoveAt(kept.Count - 1);
        }

        using var f = new ImportFixture();
        var grown = f.Temp(file);
        File.WriteAllText(grown, early.ToJsonString());
        var first = f.Import(grown);
        File.Copy(path, grown, overwrite: true);

        var second = f.Import(grown);

        Assert.Empty(first.Errors);
        Assert.Empty(second.Errors);
        Assert.Equal((count / 2, 0), (first.NewNodes, second.NewConversations));
        Assert.Equal(count, first.NewNodes + second.NewNodes);
        var view = Single(f);
        Assert.Equal(count, view.Tree.Count);
        Assert.Single(view.Tree.Leaves);
    }

    [Fact]
    public void Import_LogsFile_PromptsOfEachSessionAsAConversation()
    {
        var path = GeminiCliSamples.PathOf(GeminiCliSamples.Logs);
        var entries = GeminiCliSamples.Load(path).AsArray().Select(e => e!.AsObject()).ToList();
        var sessions = entries.GroupBy(e => (string)e["sessionId"]!).ToList();
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("gemini-cli", Assert.Single(s.Files).Format);
        Assert.Equal((sessions.Count, entries.Count, sessions.Count), (s.Conversations, s.Nodes, s.Instances));
        var view = Single(f);
        Assert.Equal(("gemini-cli/logs", sessions[0].Key), (view.Record.Source, view.Record.SourceId));
        var chain = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
        Assert.Equal(entries.Select(e => (string)e["message"]!), chain.Select(n => n.SearchText));
        Assert.All(chain, n => Assert.Equal("user", n.Role));
        Assert.True(JsonNode.DeepEquals(GeminiCliSamples.Load(path), JsonNode.Parse(f.Archive.GetBlob(view.Raw[^1])!)));
        Assert.Equal(0, f.Import(path).NewNodes);
    }

    [Fact]
    public void Import_GeminiHomeFolder_FindsSessionsAndLogs()
    {
        using var f = new ImportFixture();
        var project = f.Temp("gemini-home/tmp/fb8e242a");
        Directory.CreateDirectory(Path.Combine(project, "chats"));
        File.Copy(GeminiCliSamples.PathOf(GeminiCliSamples.Logs), Path.Combine(project, "logs.json"));
        foreach (var file in new[] { GeminiCliSamples.First, GeminiCliSamples.FileOps })
        {
            File.Copy(GeminiCliSamples.PathOf(file), Path.Combine(project, "chats", file));
        }

        var s = f.Import(f.Temp("gemini-home"));

        Assert.Empty(s.Errors);
        Assert.Equal(3, s.Files.Count);
        Assert.All(s.Files, r => Assert.Equal("gemini-cli", r.Format));
        Assert.Equal(3, s.NewConversations);
    }

    [Fact]
    public void Import_TruncatedOrShuffledSession_IsRefusedNamingFileAndPlace()
    {
        var path = GeminiCliSamples.PathOf(GeminiCliSamples.FileOps);
        var bytes = File.ReadAllBytes(path);
        var session = GeminiCliSamples.Load(path).AsObject();
        var messages = session["messages"]!.AsArray();
        var third = messages[3]!;
        messages.RemoveAt(3);
        messages.Insert(1, third);
        using var f = new ImportFixture();
        var cut = f.Temp("cut.json");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var shuffled = f.Temp("shuffled.json");
        File.WriteAllText(shuffled, session.ToJsonString());

        var s = f.ImportAs("gemini-cli", cut, shuffled);

        Assert.Equal(2, s.Errors.Count);
        Assert.StartsWith(cut + ": ", s.Errors[0], StringComparison.Ordinal);
        Assert.Contains("byte", s.Errors[0], StringComparison.Ordinal);
        Assert.StartsWith(shuffled + ": ", s.Errors[1], StringComparison.Ordinal);
        Assert.Contains("message 2", s.Errors[1], StringComparison.Ordinal); // the first message older than the one before it
        Assert.Contains("out of order", s.Errors[1], StringComparison.Ordinal);
        Assert.Empty(f.Archive.ListConversations(10));
    }
}

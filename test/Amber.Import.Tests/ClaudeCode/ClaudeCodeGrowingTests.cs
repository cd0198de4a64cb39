using System.Text.Json.Nodes;
using Amber.Storage.Reading;

namespace Amber.Import.Tests.ClaudeCode;

/// <summary>
/// Session files as they live on disk: growing between imports, cut off mid-line, damaged, shuffled, and
/// sub-agent transcripts beside their session.
/// </summary>
public sealed class ClaudeCodeGrowingTests
{
    private const string Big = "session-196820da.jsonl";

    private static List<ConversationView> Views(ImportFixture f)
        => f.Archive.ListConversations(1000).Select(s => f.Archive.GetConversation(s.Id)!).ToList();

    private static HashSet<string> NodeIds(ImportFixture f) => Views(f).SelectMany(v => v.Tree.Nodes.Keys).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Import_GrowingFile_AppendedLinesBecomeNewNodesOfTheSameConversation()
    {
        var bytes = File.ReadAllBytes(ClaudeCodeSource.Sample(Big));
        var lines = ClaudeCodeSource.RawLines(bytes);
        var half = lines.Count / 2;
        var firstNodes = ClaudeCodeSource.Count(ClaudeCodeSource.Lines(lines.Take(half).SelectMany(l => l).ToArray())).Nodes;
        var allNodes = ClaudeCodeSource.Count(ClaudeCodeSource.Lines(bytes)).Nodes;
        Assert.InRange(firstNodes, 1, allNodes - 1);
        using var f = new ImportFixture();
        var path = f.Temp("growing/session.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, lines.Take(half).SelectMany(l => l).ToArray());

        var first = f.Import(path);
        using (var append = new FileStream(path, FileMode.Append))
        {
            foreach (var line in lines.Skip(half))
            {
                append.Write(line);
            }
        }

        var second = f.Import(path);

        Assert.Empty(first.Errors);
        Assert.Empty(second.Errors);
        Assert.Equal((1, firstNodes), (first.NewConversations, first.NewNodes));
        Assert.Equal((0, allNodes - firstNodes), (second.NewConversations, second.NewNodes));
        var view = Assert.Single(Views(f));
        Assert.Equal(allNodes, view.Tree.Count);
        Assert.Equal(allNodes, f.Archive.GetStats().Nodes);
        Assert.Equal(2, view.Raw.Count);
        Assert.Equal(bytes, f.Archive.GetBlob(view.Raw[^1])); // the newest raw is the whole file

        // The same nodes as one import of the whole file.
        using var whole = new ImportFixture();
        Assert.Empty(whole.Import(ClaudeCodeSource.Sample(Big)).Errors);
        Assert.Equal(NodeIds(whole), NodeIds(f));
    }

    [Fact]
    public void Import_FileCutMidLine_ImportsTheCompleteLinesAndLeavesTheTailForLater()
    {
        var bytes = File.ReadAllBytes(ClaudeCodeSource.Sample(Big));
        var cut = Array.IndexOf(bytes, (byte)'\n', bytes.Length / 2) - 40; // inside a line
        var complete = Array.LastIndexOf(bytes, (byte)'\n', cut) + 1;
        var expected = ClaudeCodeSource.Count(ClaudeCodeSource.Lines(bytes[..complete]));
        using var f = new ImportFixture();
        var path = f.Temp("cut.jsonl");
        File.WriteAllBytes(path, bytes[..cut]);

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal(expected.Nodes, s.Nodes);
        Assert.Equal(expected.Instances, s.Instances);
        Assert.Equal(bytes[..complete], f.Archive.GetBlob(Assert.Single(Assert.Single(Views(f)).Raw)));

        File.WriteAllBytes(path, bytes); // the line was finished
        var later = f.Import(path);
        Assert.Empty(later.Errors);
        Assert.Equal(ClaudeCodeSource.Count(ClaudeCodeSource.Lines(bytes)).Nodes, f.Archive.GetStats().Nodes);
    }

    [Fact]
    public void Import_DamagedLineInTheMiddle_IsRefusedNamingFileAndLine()
    {
        var lines = ClaudeCodeSource.RawLines(File.ReadAllBytes(ClaudeCodeSource.Sample(Big)));
        var damaged = lines.Count / 3;
        lines[damaged] = [.. lines[damaged][..(lines[damaged].Length / 2)], (byte)'\n'];
        using var f = new ImportFixture();
        var path = f.Temp("damaged.jsonl");
        File.WriteAllBytes(path, lines.SelectMany(l => l).ToArray());

        var s = f.Import(path);

        var error = Assert.Single(s.Errors);
        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Contains($"line {damaged + 1}:", error, StringComparison.Ordinal);
        Assert.Contains("Nothing from this file was committed", error, StringComparison.Ordinal);
        Assert.Equal(0, f.Archive.GetStats().Nodes);
    }

    [Fact]
    public void Import_ShuffledLines_BuildsTheSameTree()
    {
        var bytes = File.ReadAllBytes(ClaudeCodeSource.Sample(Big));
        var lines = ClaudeCodeSource.RawLines(bytes);
        var shuffled = lines.Select((l, i) => (Line: l, Key: (i * 7919) % lines.Count)).OrderBy(x => x.Key).Select(x => x.Line).ToList();
        Assert.NotEqual(lines.Select(l => l.Length), shuffled.Select(l => l.Length));
        using var f = new ImportFixture();
        Assert.Empty(f.Import(ClaudeCodeSource.Sample(Big)).Errors);
        var path = f.Temp("shuffled.jsonl");
        File.WriteAllBytes(path, shuffled.SelectMany(l => l).ToArray());

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal(0, s.NewNodes); // every record maps to the node it mapped to in file order
        Assert.Equal(0, s.NewConversations);
        var view = Assert.Single(Views(f));
        Assert.Equal(2, view.Raw.Count); // both orders are kept as given
    }

    [Fact]
    public void Import_SubagentBesideItsSession_LinksParentSessionAndSpawningToolUse()
    {
        var session = File.ReadAllBytes(ClaudeCodeSource.Sample("incremental-subagents/e9fb405b-turn-2.jsonl"));
        var agent = File.ReadAllBytes(ClaudeCodeSource.Sample("incremental-subagents/subagents/agent-a485154.jsonl"));
        var sessionLines = ClaudeCodeSource.Lines(session);
        var sessionId = sessionLines.Select(l => ClaudeCodeSource.Str(l, "sessionId")).First(s => s is not null)!;
        var agentId = ClaudeCodeSource.Lines(agent).Select(l => ClaudeCodeSource.Str(l, "agentId")).First(s => s is not null)!;
        var spawner = sessionLines.Single(l => ClaudeCodeSource.Str(l["toolUseResult"] as JsonObject, "agentId") == agentId);
        var toolUse = ClaudeCodeSource.Str(spawner["message"]!["content"]![0], "tool_use_id")!;
        using var f = new ImportFixture();
        var project = f.Temp("projects/-home-user-repo");
        Directory.CreateDirectory(Path.Combine(project, sessionId, "subagents"));
        File.WriteAllBytes(Path.Combine(project, sessionId + ".jsonl"), session);
        File.WriteAllBytes(Path.Combine(project, sessionId, "subagents", $"agent-{agentId}.jsonl"), agent);

        var s = f.Import(f.Temp("projects"));

        Assert.Empty(s.Errors);
        Assert.Equal(2, s.Conversations);
        var views = Views(f).ToDictionary(v => v.Record.SourceId, StringComparer.Ordinal);
        var main = views[sessionId];
        var sub = views[$"{sessionId}/agent-{agentId}"].Record.Meta!;
        Assert.Equal(sessionId, (string?)sub["parent_session"]);
        Assert.Equal(main.Summary.Id, (string?)sub["parent_conversation"]);
        Assert.Equal(agentId, (string?)sub["agent_id"]);
        Assert.Equal(toolUse, (string?)sub["spawned_by_tool_use"]);
        Assert.Contains(main.Tree.Nodes.Values.SelectMany(n => n.Content).OfType<Amber.Core.Model.ToolCallBlock>(), c => c.Id == toolUse);
    }

    [Fact]
    public void Import_SubagentWithoutItsSessionFile_StillNamesTheParentSession()
    {
        var path = ClaudeCodeSource.Sample("-tmp-private/agent-50243ee8.jsonl");
        var first = ClaudeCodeSource.Lines(path).First();
        using var f = new ImportFixture();
        Assert.Empty(f.Import(path).Errors);

        var meta = Assert.Single(Views(f)).Record.Meta!;
        Assert.Equal(ClaudeCodeSource.Str(first, "sessionId"), (string?)meta["parent_session"]);
        Assert.Equal(ClaudeCodeSource.Str(first, "agentId"), (string?)meta["agent_id"]);
        Assert.Null(meta["spawned_by_tool_use"]); // a warmup agent: no tool_use spawned it
    }
}

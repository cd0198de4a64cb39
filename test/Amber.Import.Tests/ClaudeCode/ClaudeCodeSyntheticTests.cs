using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats;
using Amber.Storage.Reading;

namespace Amber.Import.Tests.ClaudeCode;

/// <summary>Synthetic session lines (written here) for what the samples do not hold: compaction, inline sidechains, detection.</summary>
public sealed class ClaudeCodeSyntheticTests
{
    private const string Session = "11111111-2222-4333-8444-555555555555";

    private static JsonObject Record(string type, string uuid, string? parent, JsonObject? message = null, bool sidechain = false, string? agentId = null)
    {
        var o = new JsonObject
        {
            ["parentUuid"] = parent,
            ["isSidechain"] = sidechain,
            ["userType"] = "external",
            ["cwd"] = "/home/user/repo",
            ["sessionId"] = Session,
            ["version"] = "2.1.0",
            ["gitBranch"] = "main",
        };
        if (agentId is not null)
        {
            o["agentId"] = agentId;
        }

        o["type"] = type;
        if (message is not null)
        {
            o["message"] = message;
        }

        o["uuid"] = uuid;
        o["timestamp"] = "2026-01-01T10:00:00.000Z";
        return o;
    }

    private static JsonObject User(string uuid, string? parent, string text, bool sidechain = false, string? agentId = null)
        => Record("user", uuid, parent, new JsonObject { ["role"] = "user", ["content"] = text }, sidechain, agentId);

    private static JsonObject Assistant(string uuid, string parent, params JsonObject[] blocks)
        => Record("assistant", uuid, parent, new JsonObject
        {
            ["model"] = "claude-opus-4-5",
            ["id"] = "msg_" + uuid,
            ["type"] = "message",
            ["role"] = "assistant",
            ["content"] = new JsonArray(blocks),
            ["stop_reason"] = "end_turn",
            ["usage"] = new JsonObject { ["input_tokens"] = 10, ["output_tokens"] = 5 },
        });

    private static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    private static JsonObject Boundary(string uuid, string logicalParent)
    {
        var o = Record("system", uuid, null);
        o["subtype"] = "compact_boundary";
        o["content"] = "Conversation compacted";
        o["logicalParentUuid"] = logicalParent;
        o["compactMetadata"] = new JsonObject { ["trigger"] = "auto", ["preTokens"] = 150000 };
        return o;
    }

    private static string Write(string path, IEnumerable<JsonObject> records)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Concat(records.Select(r => r.ToJsonString() + "\n")), new UTF8Encoding(false));
        return path;
    }

    private static List<ConversationView> Views(ImportFixture f)
        => f.Archive.ListConversations(1000).Select(s => f.Archive.GetConversation(s.Id)!).ToList();

    private static List<JsonObject> Before() =>
    [
        new JsonObject { ["type"] = "file-history-snapshot", ["messageId"] = "u1", ["snapshot"] = new JsonObject(), ["isSnapshotUpdate"] = false },
        User("u1", null, "fix the build"),
        Assistant("a1", "u1", Text("Looking.")),
        User("u2", "a1", "and the tests"),
        Assistant("a2", "u2", Text("Done.")),
    ];

    private static List<JsonObject> After() =>
    [
        Boundary("b1", "a2"),
        User("s1", "b1", "This session is being continued from a previous conversation. Summary: …"),
        Assistant("a3", "s1", Text("Continuing.")),
    ];

    [Fact]
    public void Import_CompactionAppended_BoundaryHangsUnderItsLogicalParent()
    {
        using var f = new ImportFixture();
        var path = Write(f.Temp("compact/s.jsonl"), Before());
        Assert.Empty(f.Import(path).Errors);
        Write(path, [.. Before(), .. After()]);

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal((0, 3), (s.NewConversations, s.NewNodes));
        var view = Assert.Single(Views(f));
        var leaf = Assert.Single(view.Tree.Leaves); // one path through the compaction
        var path2 = view.Tree.PathTo(leaf).Select(p => (string)p.Node.Meta!["source_id"]!).ToList();
        Assert.Equal(["u1", "a1", "u2", "a2", "b1", "s1", "a3"], path2);
        var boundary = view.Tree.Nodes.Values.Single(n => (string?)n.Meta!["source_id"] == "b1");
        Assert.Equal("system", boundary.Role);
        Assert.Contains(NodeFlags.System, boundary.Flags);
        Assert.Equal("compact_boundary", (string?)boundary.Meta!["subtype"]);
        Assert.Equal("Conversation compacted", Assert.IsType<TextBlock>(Assert.Single(boundary.Content)).Text);
        Assert.Equal(1, (int)view.Record.Meta!["not_mapped"]!["file-history-snapshot"]!);
    }

    [Fact]
    public void Import_FileRewrittenByCompaction_KeepsEveryLineInOneConversation()
    {
        using var f = new ImportFixture();
        var path = Write(f.Temp("rewrite/s.jsonl"), Before());
        Assert.Empty(f.Import(path).Errors);
        var summary = new JsonObject { ["type"] = "summary", ["summary"] = "Fixing the build", ["leafUuid"] = "a3" };
        Write(path, [summary, .. After()]); // older lines gone, the compacted session only

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal((0, 3), (s.NewConversations, s.NewNodes));
        var view = Assert.Single(Views(f));
        Assert.Equal(7, view.Tree.Count);
        Assert.Equal(["a2", "a3"], view.Tree.Leaves.Select(l => (string)view.Tree.Nodes[l].Meta!["source_id"]!).Order(StringComparer.Ordinal));
        Assert.Equal(2, view.Raw.Count); // both versions of the file are kept
        Assert.Equal("Fixing the build", view.Record.Title);
    }

    [Fact]
    public void Import_InlineSidechain_BecomesItsOwnLinkedConversation()
    {
        var spawner = Record("user", "r1", "a1", new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = "toolu_1", ["content"] = "report" }),
        });
        spawner["toolUseResult"] = new JsonObject { ["status"] = "completed", ["agentId"] = "ab12" };
        var task = Assistant("a1", "u1", new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_1", ["name"] = "Task", ["input"] = new JsonObject { ["prompt"] = "look around" } });
        using var f = new ImportFixture();
        var path = Write(f.Temp("inline/s.jsonl"),
        [
            User("u1", null, "explore"),
            task,
            User("x1", null, "look around", sidechain: true, agentId: "ab12"),
            Assistant("x2", "x1", Text("found it")).Also(o => { o["isSidechain"] = true; o["agentId"] = "ab12"; }),
            spawner,
        ]);

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal((2, 5, 2), (s.Conversations, s.Nodes, s.Instances));
        var views = Views(f).ToDictionary(v => v.Record.SourceId, StringComparer.Ordinal);
        var sub = views[$"{Session}/agent-ab12"];
        Assert.Equal(2, sub.Tree.Count);
        Assert.Equal("toolu_1", (string?)sub.Record.Meta!["spawned_by_tool_use"]);
        Assert.Equal(views[Session].Summary.Id, (string?)sub.Record.Meta!["parent_conversation"]);
        Assert.Equal(3, views[Session].Tree.Count);
    }

    [Fact]
    public void Detect_SessionAfterSnapshotsAndSummaries_IsClaudeCodeNotOpenAiMessages()
    {
        using var f = new ImportFixture();
        var session = Write(f.Temp("d/session.jsonl"), [new JsonObject { ["type"] = "summary", ["summary"] = "x", ["leafUuid"] = "zz" }, .. Before()]);
        var openai = Write(f.Temp("d/openai.jsonl"), [new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }), ["sessionId"] = "s", ["uuid"] = "u" }]);
        var huge = Write(f.Temp("d/huge.jsonl"), [User("h1", null, new string('x', 100_000))]);

        Assert.Equal("claude-code", FormatRegistry.Detect(Sources.ImportSources.FileInput(session), FormatRegistry.All)?.Name);
        Assert.Equal("claude-code", FormatRegistry.Detect(Sources.ImportSources.FileInput(huge), FormatRegistry.All)?.Name); // judged from a head that ends inside the line
        Assert.Equal("openai-jsonl", FormatRegistry.Detect(Sources.ImportSources.FileInput(openai), FormatRegistry.All)?.Name);
    }

    [Fact]
    public void Import_SyntheticModelMessage_IsFlaggedAndNotCredited()
    {
        var synthetic = Assistant("a9", "u1", Text("No response requested."));
        synthetic["message"]!["model"] = "<synthetic>";
        using var f = new ImportFixture();
        var path = Write(f.Temp("syn/s.jsonl"), [User("u1", null, "hi"), synthetic]);

        Assert.Empty(f.Import(path).Errors);

        var node = Assert.Single(Views(f)).Tree.Nodes.Values.Single(n => n.Role == "assistant");
        Assert.Null(node.Generation);
        Assert.Contains("synthetic", node.Flags);
        Assert.Equal("<synthetic>", (string?)node.Meta!["message"]!["model"]);
    }
}

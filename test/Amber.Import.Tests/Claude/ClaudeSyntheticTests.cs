using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Import.Formats.Claude;
using Amber.Storage.Verification;
using static Amber.Import.Tests.Claude.ClaudeSamples;

namespace Amber.Import.Tests.Claude;

/// <summary>Edge cases of the Claude format on small exports written by the tests themselves.</summary>
public sealed class ClaudeSyntheticTests
{
    private const string Root = "00000000-0000-4000-8000-000000000000";

    private static JsonObject Branched() => Conversation(
        "conv-branch",
        Message("h1", "human", Root, "2025-03-01T10:00:00Z", Text("Question")),
        Message("a1", "assistant", "h1", "2025-03-01T10:00:05Z", Text("First answer")),
        Message("a2", "assistant", "h1", "2025-03-01T10:01:00Z", Text("Regenerated answer")),
        Message("h2", "human", "a2", "2025-03-01T10:02:00Z", Text("Follow-up")),
        Message("a3", "assistant", "h2", "2025-03-01T10:02:05Z", Text("Second answer")));

    [Fact]
    public void Import_ZipWithCompanions_StoresThemAndImportsConversations()
    {
        using var f = new ImportFixture();
        var conversations = Encoding.UTF8.GetBytes(new JsonArray(
            Conversation("conv-a", OldMessage("m1", "human", "Hi", "2025-01-01T00:00:00Z"), OldMessage("m2", "assistant", "Hello", "2025-01-01T00:00:01Z")),
            Conversation("conv-b", OldMessage("m3", "human", "Again", "2025-01-02T00:00:00Z"))).ToJsonString());
        var users = """[{"uuid":"acc-0001","full_name":"Test User","email_address":"user@example.invalid","verified_phone_number":null}]"""u8.ToArray();
        var projects = """[{"uuid":"proj-1","name":"Project","description":"","is_private":true,"created_at":"2025-01-01T00:00:00Z","docs":[{"uuid":"d1","filename":"a.md","content":"doc"}]}]"""u8.ToArray();
        var memories = """[{"conversations_memory":"memo","project_memories":{},"account_uuid":"acc-0001"}]"""u8.ToArray();
        var zip = f.Temp("export-zip/data-2025-01-03.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(zip)!);
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var (name, bytes) in new[] { ("conversations.json", conversations), ("users.json", users), ("projects.json", projects), ("memories.json", memories) })
            {
                using var s = archive.CreateEntry(name).Open();
                s.Write(bytes);
            }
        }

        var summary = f.ImportAs(null, zip);

        Assert.Empty(summary.Errors);
        Assert.Equal("claude", Assert.Single(summary.Files).Format); // the companions are not taken for conversations
        Assert.Equal(2, summary.Conversations);
        Assert.Equal(3, summary.Nodes);
        Assert.Equal(2, summary.Instances);
        Assert.Equal(users, f.Archive.GetBlob(ContentId.Of(users)));
        Assert.Equal(projects, f.Archive.GetBlob(ContentId.Of(projects)));
        Assert.Equal(memories, f.Archive.GetBlob(ContentId.Of(memories)));
        Assert.Equal(["conv-a", "conv-b"], f.Archive.ListConversations().Select(c => c.SourceId).Order(StringComparer.Ordinal));
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_TwoRepliesToOneMessage_MakesTwoInstances()
    {
        using var f = new ImportFixture();
        var path = Write(f.Temp("branch/conversations.json"), new JsonArray(Branched()));

        var summary = f.ImportAs(null, path);

        Assert.Empty(summary.Errors);
        Assert.Equal((1, 5, 2), (summary.Conversations, summary.Nodes, summary.Instances));
        var view = f.Archive.GetConversation(f.Archive.ListConversations().Single().Id)!;
        var root = Assert.Single(view.Tree.Roots);
        Assert.Equal("h1", (string?)view.Tree.Nodes[root].Meta!["source_id"]);
        Assert.Equal(["a1", "a2"], view.Tree.ChildrenOf(root).Select(id => (string)view.Tree.Nodes[id].Meta!["source_id"]!).Order(StringComparer.Ordinal));
        Assert.Equal(2, view.Summary.Instances);
        Assert.Equal(["h1", "a2", "h2", "a3"], view.Tree.PathTo(view.Tree.Leaves.Single(l => view.Tree.PathTo(l).Count == 4)).Select(p => (string)p.Node.Meta!["source_id"]!));
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_NewerExportWithNewBranch_AddsItToTheSameConversation()
    {
        using var f = new ImportFixture();
        var older = Branched();
        var messages = older["chat_messages"]!.AsArray();
        foreach (var id in new[] { "a3", "h2", "a2" })
        {
            messages.Remove(messages.Single(m => (string?)m!["uuid"] == id));
        }

        Assert.Empty(f.ImportAs(null, Write(f.Temp("older/conversations.json"), new JsonArray(older))).Errors);

        var newer = f.ImportAs(null, Write(f.Temp("newer/conversations.json"), new JsonArray(Branched())));

        Assert.Empty(newer.Errors);
        Assert.Equal(0, newer.NewConversations);
        Assert.Equal(3, newer.NewNodes);
        var summary = Assert.Single(f.Archive.ListConversations());
        Assert.Equal((5, 2), (summary.Nodes, summary.Instances));
    }

    [Fact]
    public void Import_MissingOrUnknownParent_MakesARoot()
    {
        using var f = new ImportFixture();
        var c = Conversation(
            "conv-orphan",
            Message("h1", "human", Root, "2025-03-01T10:00:00Z", Text("Question")),
            Message("a1", "assistant", "h1", "2025-03-01T10:00:05Z", Text("Answer")),
            Message("x1", "human", "not-in-this-export", "2025-03-01T10:03:00Z", Text("Orphan")));

        var summary = f.ImportAs(null, Write(f.Temp("orphan/conversations.json"), new JsonArray(c)));

        Assert.Empty(summary.Errors);
        Assert.Equal((3, 2), (summary.Nodes, summary.Instances));
        var view = f.Archive.GetConversation(f.Archive.ListConversations().Single().Id)!;
        Assert.Equal(2, view.Tree.Roots.Count);
        Assert.Equal("not-in-this-export", (string?)view.Tree.Nodes.Values.Single(n => (string?)n.Meta!["source_id"] == "x1").Meta!["parent_message_uuid"]);
    }

    [Fact]
    public void Import_EmptyConversation_CountsOneConversationWithoutNodesOrInstances()
    {
        using var f = new ImportFixture();
        var empty = Conversation("conv-empty");
        empty["name"] = "";

        var summary = f.ImportAs(null, Write(f.Temp("empty/conversations.json"), new JsonArray(empty)));

        Assert.Empty(summary.Errors);
        Assert.Equal((1, 0, 0), (summary.Conversations, summary.Nodes, summary.Instances));
        var listed = Assert.Single(f.Archive.ListConversations());
        Assert.Equal((0, 0), (listed.Nodes, listed.Instances));
        Assert.Null(listed.Title);
        var view = f.Archive.GetConversation(listed.Id)!;
        Assert.True(JsonNode.DeepEquals(empty, JsonNode.Parse(f.Archive.GetBlob(view.Raw[^1]))));
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Fact]
    public void Import_SingleConversationObject_IsDetectedAndImported()
    {
        using var f = new ImportFixture();
        var c = Conversation("conv-single", OldMessage("m1", "human", "Hi", "2025-01-01T00:00:00Z"), OldMessage("m2", "assistant", "Hello", "2025-01-01T00:00:01Z"));

        var summary = f.ImportAs(null, Write(f.Temp("single/one-conversation.json"), c));

        Assert.Empty(summary.Errors);
        Assert.Equal("claude", Assert.Single(summary.Files).Format);
        Assert.Equal((1, 2, 1), (summary.Conversations, summary.Nodes, summary.Instances));
    }

    [Fact]
    public void Import_EveryBlockKind_MapsToItsContentBlock()
    {
        using var f = new ImportFixture();
        var question = Message("h1", "human", Root, "2025-03-01T10:00:00+01:00", Text("Question"));
        question["attachments"] = new JsonArray(
            new JsonObject { ["file_name"] = "notes.txt", ["file_size"] = 11, ["file_type"] = "txt", ["extracted_content"] = "hello notes" },
            new JsonObject { ["file_name"] = "scan.pdf", ["file_size"] = 99, ["file_type"] = "pdf" });
        question["files"] = new JsonArray(new JsonObject { ["file_name"] = "img.png", ["file_uuid"] = "file-1" });
        var answer = Message(
            "a1",
            "assistant",
            "h1",
            "2025-03-01T09:00:05Z",
            new JsonObject { ["type"] = "thinking", ["thinking"] = "Let me think", ["signature"] = "sig-1", ["summaries"] = new JsonArray(), ["start_timestamp"] = "2025-03-01T09:00:01Z" },
            new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_1", ["name"] = "web_search", ["input"] = new JsonObject { ["query"] = "amber" } },
            new JsonObject
            {
                ["type"] = "tool_result",
                ["tool_use_id"] = "toolu_1",
                ["name"] = "web_search",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "text", ["text"] = "a result", ["uuid"] = "r1" },
                    new JsonObject { ["type"] = "knowledge", ["title"] = "Page", ["url"] = "https://example.invalid/" }),
                ["is_error"] = false,
            },
            new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = "toolu_2", ["content"] = "it failed", ["is_error"] = true },
            new JsonObject { ["type"] = "token_budget", ["start_timestamp"] = null },
            new JsonObject { ["type"] = "future_kind", ["payload"] = 1 },
            Text("Answer", "2025-03-01T09:00:04Z"));
        answer["text"] = "Answer with a placeholder for the tool use";
        var blank = Message("h2", "human", "a1", "2025-03-01T09:01:00Z");
        blank["text"] = "";
        var c = Conversation("conv-kinds", question, answer, blank);
        c["model"] = "claude-3-opus-20240229";

        var summary = f.ImportAs(null, Write(f.Temp("kinds/conversations.json"), new JsonArray(c)));

        Assert.Empty(summary.Errors);
        var view = f.Archive.GetConversation(f.Archive.ListConversations().Single().Id)!;
        Node Of(string id) => view.Tree.Nodes.Values.Single(n => (string?)n.Meta!["source_id"] == id);

        var h1 = Of("h1");
        Assert.Equal("user", h1.Role);
        Assert.Equal("2025-03-01T09:00:00Z", h1.Created); // normalized to UTC
        Assert.Equal("2025-03-01T10:00:00+01:00", (string?)h1.Meta!["created_at"]);
        Assert.IsType<TextBlock>(h1.Content[0]);
        var blob = Assert.IsType<BlobBlock>(h1.Content[1]);
        Assert.Equal(("attachment", "notes.txt"), (blob.BlobKind, blob.Name));
        Assert.Equal("hello notes"u8.ToArray(), f.Archive.GetBlob(blob.Blob));
        Assert.Equal("txt", (string?)h1.Meta["attachments"]![0]!["file_type"]);
        Assert.Equal(("claude", "attachment"), (((OpaqueBlock)h1.Content[2]).Provider, ((OpaqueBlock)h1.Content[2]).ItemType));
        Assert.Equal("file-1", (string?)((OpaqueBlock)h1.Content[3]).Value!["file_uuid"]);
        Assert.Null(h1.Generation);

        var a1 = Of("a1");
        Assert.Equal(new ThinkingBlock("Let me think", "sig-1"), a1.Content[0]);
        var call = Assert.IsType<ToolCallBlock>(a1.Content[1]);
        Assert.Equal(("toolu_1", "web_search", "amber"), (call.Id, call.Name, (string?)call.Arguments!["query"]));
        var result = Assert.IsType<ToolResultBlock>(a1.Content[2]);
        Assert.Equal(("toolu_1", false), (result.CallId, result.IsError));
        Assert.Equal(new TextBlock("a result"), result.Content[0]);
        Assert.Equal("knowledge", Assert.IsType<OpaqueBlock>(result.Content[1]).ItemType);
        var failed = Assert.IsType<ToolResultBlock>(a1.Content[3]);
        Assert.Equal((true, "it failed"), (failed.IsError, ((TextBlock)failed.Content.Single()).Text));
        Assert.Equal("token_budget", Assert.IsType<OpaqueBlock>(a1.Content[4]).ItemType);
        Assert.Equal(1, (int?)Assert.IsType<OpaqueBlock>(a1.Content[5]).Value!["payload"]);
        Assert.Equal(new TextBlock("Answer"), a1.Content[6]);
        var residuals = a1.Meta!["blocks"]!.AsArray();
        Assert.Equal("2025-03-01T09:00:01Z", (string?)residuals[0]!["start_timestamp"]);
        Assert.Equal("r1", (string?)residuals[2]!["content"]![0]!["uuid"]);
        Assert.Equal("web_search", (string?)residuals[2]!["name"]);
        Assert.Null(residuals[4]); // the opaque block holds all of it
        Assert.Equal("Answer with a placeholder for the tool use", (string?)a1.Meta["text"]);
        Assert.Equal("claude-3-opus-20240229", view.Models[a1.Generation!.Model].Requested);
        Assert.Empty(a1.Flags);

        var h2 = Of("h2");
        Assert.Equal([NodeFlags.Empty], h2.Flags);
        Assert.Empty(h2.Content);
        Assert.Equal(1, view.Summary.Instances);
        Assert.Contains(f.Archive.Search("notes.txt"), h => h.Conversation == view.Summary.Id);
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    public static TheoryData<string, string, string> BadShapes => new()
    {
        { """{"uuid":"bad-1","name":"x","chat_messages":"not a list"}""", "conversation bad-1", "chat_messages" },
        { """{"uuid":"bad-1","name":"x","chat_messages":[{"uuid":"m1","text":"hi"}]}""", "conversation bad-1", "sender" },
        { """{"uuid":"bad-1","name":"x","chat_messages":[{"uuid":"m1","sender":"human","content":"hi"}]}""", "conversation bad-1", "content" },
        { """{"uuid":"bad-1","name":"x","chat_messages":[{"uuid":"m1","sender":"human","attachments":{}}]}""", "conversation bad-1", "attachments" },
        { """{"uuid":"bad-1","chat_messages":[{"uuid":"m1","sender":"human","parent_message_uuid":"m2"},{"uuid":"m2","sender":"assistant","parent_message_uuid":"m1"}]}""", "conversation bad-1", "cycle" },
        { """{"name":"no id","chat_messages":[]}""", "record 1", "uuid" },
        { "42", "record 1", "JSON object" },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void Import_UnknownShape_NamesTheRecordAndCommitsNothing(string bad, string where, string what)
    {
        using var f = new ImportFixture();
        var good = Conversation("good-1", OldMessage("m1", "human", "Hi", "2025-01-01T00:00:00Z")).ToJsonString();
        var path = f.Temp("bad/conversations.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"[{good},{bad}]");

        var summary = f.ImportAs("claude", path);

        var error = Assert.Single(summary.Errors);
        Assert.Contains("conversations.json: " + where, error, StringComparison.Ordinal);
        Assert.Contains(what, error, StringComparison.Ordinal);
        Assert.Empty(f.Archive.ListConversations());
        Assert.Equal(0, f.Archive.GetStats().Nodes);
    }

    public static TheoryData<string, string, bool> Heads => new()
    {
        { "conversations.json", """[{"uuid":"c1","name":"n","chat_messages":[]}]""", true },
        { "one.json", """{"chat_messages":[],"uuid":"c1"}""", true },
        { "conversations.json", "[{\"uuid\":\"c1\",\"name\":\"n\",\"summary\":\"" + new string('s', 70_000) + "\",\"chat_messages\":[]}]", true },
        { "users.json", """[{"uuid":"u1","full_name":"A","chat_messages":[]}]""", false },
        { "data.json", """[{"uuid":"u1","full_name":"A","email_address":"a@example.invalid"}]""", false },
        { "data.json", "[{\"uuid\":\"p1\",\"name\":\"P\",\"description\":\"\",\"docs\":[{\"content\":\"" + new string('d', 70_000) + "\"}]}]", false },
        { "conversations.json", """[{"id":"x","title":"t","mapping":{},"chat_messages":[]}]""", false },
        { "data.jsonl", """{"messages":[{"role":"user","content":"hi"}]}""", false },
        { "conversations.json", "[]", false },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Detect_FirstBytes_RecognizesOnlyClaudeConversations(string name, string json, bool expected)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var input = new ImportInput(name, bytes.Length, () => new MemoryStream(bytes));

        Assert.Equal(expected, new ClaudeFormat().Detect(input, bytes.AsSpan(0, Math.Min(bytes.Length, 64 << 10))));
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Import.Formats;
using Amber.Import.Formats.ChatGpt;

namespace Amber.Import.Tests.ChatGpt;

/// <summary>Detection and normalization of synthetic ChatGPT conversations, read without an archive.</summary>
public sealed class ChatGptFormatTests
{
    private static readonly ChatGptFormat Format = new();

    [Fact]
    public void Detect_ConversationsArray_IsChatGpt()
    {
        var json = new JsonArray(ChatGptSamples.Branched("c1")).ToJsonString();
        Assert.True(Format.Detect(ChatGptSamples.Input(json), Encoding.UTF8.GetBytes(json)));
        Assert.Same(FormatRegistry.All.First(f => f.Detect(ChatGptSamples.Input(json), Encoding.UTF8.GetBytes(json))).GetType(), typeof(ChatGptFormat));
    }

    [Fact]
    public void Detect_PrettyPrintedSingleConversation_IsChatGpt()
    {
        var json = "\uFEFF\n" + ChatGptSamples.Branched("c1").ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        Assert.True(Format.Detect(ChatGptSamples.Input(json), Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("""[{"uuid":"x","name":"n","chat_messages":[{"sender":"human","text":"hi"}]}]""")]
    [InlineData("""[{"conversations":[{"from":"human","value":"mapping"}]}]""")]
    [InlineData("""{"message_tree_id":"t","prompt":{"text":"hi","replies":[]}}""")]
    [InlineData("""[]""")]
    [InlineData("""mapping""")]
    public void Detect_OtherShapes_IsNotChatGpt(string json)
        => Assert.False(Format.Detect(ChatGptSamples.Input(json), Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Read_BranchedConversation_KeepsEveryMessageAndBranch()
    {
        var c = Assert.Single(Read(ChatGptSamples.Branched("c1")));

        Assert.Equal("chatgpt", c.Record.Format);
        Assert.Equal("chatgpt.com", c.Record.Source);
        Assert.Equal("c1", c.Record.SourceId);
        Assert.Equal("Sample c1", c.Record.Title);
        Assert.Equal("2023-11-14T22:13:20.250000Z", c.Record.Created);
        Assert.Equal("u2-c1", (string?)c.Record.Meta!["current_node"]);
        Assert.Equal("gpt-4o", (string?)c.Record.Meta["default_model_slug"]);
        Assert.False((bool)c.Record.Meta["is_archived"]!);
        Assert.Equal(4, c.Nodes.Count);
        Assert.Equal(2, Importer.CountLeaves(c.Nodes));

        var ids = c.Nodes.ToDictionary(n => (string)n.Meta!["source_id"]!, n => n.ComputeId());
        var byKey = c.Nodes.ToDictionary(n => (string)n.Meta!["source_id"]!);
        Assert.Null(byKey["u1-c1"].Parent); // the message-less root is not a node
        Assert.Equal(ids["u1-c1"], byKey["a1-c1"].Parent);
        Assert.Equal(ids["u1-c1"], byKey["a2-c1"].Parent);
        Assert.Equal(ids["a1-c1"], byKey["u2-c1"].Parent);
        Assert.Equal("2023-11-14T22:13:20.500000Z", byKey["u1-c1"].Created);
        Assert.Equal("Question c1", Assert.IsType<TextBlock>(Assert.Single(byKey["u1-c1"].Content)).Text);

        // Models: the message's slug; the finish reason from finish_details.
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], c.Models.Select(m => m.Requested).Order());
        Assert.All(c.Models, m => Assert.Equal("openai", m.Provider));
        Assert.Equal(c.Models.Single(m => m.Requested == "gpt-4o").Id, byKey["a1-c1"].Generation!.Model);
        Assert.Equal("stop", byKey["a1-c1"].Generation!.FinishReason);
        Assert.Null(byKey["u1-c1"].Generation);
        Assert.Equal(Tier.T4, TierGrader.Grade(byKey["a1-c1"], c.Models[0]));

        // Message fields not modelled are kept in meta.
        var meta = byKey["a1-c1"].Meta!;
        Assert.Equal("all", (string?)meta["recipient"]);
        Assert.Equal("finished_successfully", (string?)meta["status"]);
        Assert.True((bool)meta["end_turn"]!);
        Assert.Equal(1.0, (double)meta["weight"]!);
        Assert.Equal("gpt-4o", (string?)meta["metadata"]!["model_slug"]);
        Assert.Equal("text", (string?)meta["content_type"]);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(c.Raw.Span), ChatGptSamples.Branched("c1")));
    }

    [Fact]
    public void Read_MessageLessEntryMidTree_ChildrenAttachToNearestAncestorWithAMessage()
    {
        var conversation = ChatGptSamples.Conversation("c2", [
            ("u1", null, ChatGptSamples.Message("u1", "user", ChatGptSamples.Text("hi"))),
            ("gap", "u1", null),
            ("a1", "gap", ChatGptSamples.Message("a1", "assistant", ChatGptSamples.Text("hello"))),
            ("orphan", "no-such-entry", ChatGptSamples.Message("orphan", "user", ChatGptSamples.Text("lost parent"))),
        ]);
        var c = Assert.Single(Read(conversation));
        var byKey = c.Nodes.ToDictionary(n => (string)n.Meta!["source_id"]!);

        Assert.Equal(3, c.Nodes.Count);
        Assert.Equal(byKey["u1"].ComputeId(), byKey["a1"].Parent);
        Assert.Null(byKey["orphan"].Parent);
        Assert.Equal("no-such-entry", (string?)byKey["orphan"].Meta!["missing_parent"]);
    }

    [Fact]
    public void Read_EveryContentType_MapsToBlocksAndKeepsTheRest()
    {
        JsonObject C(string type, JsonObject fields)
        {
            fields["content_type"] = type;
            return fields;
        }

        var entries = new List<(string, string?, JsonObject?)> { ("root", null, null) };
        void Add(string key, string role, JsonObject content, JsonObject? metadata = null, string? name = null)
            => entries.Add((key, entries[^1].Item1, ChatGptSamples.Message(key, role, content, metadata: metadata, authorName: name)));

        Add("sys", "system", ChatGptSamples.Text(""), new JsonObject { ["is_visually_hidden_from_conversation"] = true });
        Add("ctx", "user", C("user_editable_context", new JsonObject { ["user_profile"] = "profile text", ["user_instructions"] = "instruction text" }));
        Add("code", "assistant", C("code", new JsonObject { ["language"] = "python", ["response_format_name"] = null, ["text"] = "print(1)" }));
        Add("out", "tool", C("execution_output", new JsonObject { ["text"] = "1" }), name: "python");
        Add("err", "tool", C("system_error", new JsonObject { ["name"] = "SomeException", ["text"] = "failed" }), name: "python");
        Add("think", "assistant", C("thoughts", new JsonObject
        {
            ["thoughts"] = new JsonArray(new JsonObject { ["summary"] = "Plan", ["content"] = "step one", ["chunks"] = new JsonArray(), ["finished"] = true }),
            ["source_analysis_msg_id"] = "m-1",
        }));
        Add("recap", "assistant", C("reasoning_recap", new JsonObject { ["content"] = "Thought for 2s" }));
        Add("browse", "tool", C("tether_browsing_display", new JsonObject { ["result"] = "page text", ["summary"] = "", ["assets"] = null, ["tether_id"] = null }));
        Add("quote", "tool", C("tether_quote", new JsonObject { ["url"] = "file-1", ["domain"] = "doc.pdf", ["text"] = "quoted", ["title"] = "Doc", ["tether_id"] = null }));
        Add("mm", "user", C("multimodal_text", new JsonObject
        {
            ["parts"] = new JsonArray(
                new JsonObject { ["content_type"] = "image_asset_pointer", ["asset_pointer"] = "file-service://file-Missing1", ["size_bytes"] = 10, ["width"] = 1, ["height"] = 1 },
                new JsonObject { ["content_type"] = "audio_transcription", ["text"] = "spoken words", ["direction"] = "in" },
                "typed words",
                new JsonObject { ["content_type"] = "future_part", ["x"] = 1 }),
        }));
        Add("future", "assistant", C("future_type", new JsonObject { ["payload"] = new JsonObject { ["deep"] = new JsonArray(1, 2) } }));

        var c = Assert.Single(Read(ChatGptSamples.Conversation("c3", entries)));
        var n = c.Nodes.ToDictionary(x => (string)x.Meta!["source_id"]!);

        Assert.Equal([NodeFlags.Empty, NodeFlags.Hidden, NodeFlags.System], n["sys"].Flags.Order());
        Assert.Equal(["profile text", "instruction text"], n["ctx"].Content.OfType<TextBlock>().Select(b => b.Text));
        Assert.Contains(NodeFlags.Hidden, n["ctx"].Flags);

        Assert.Equal("print(1)", Assert.IsType<TextBlock>(Assert.Single(n["code"].Content)).Text);
        Assert.Equal("python", (string?)n["code"].Meta!["content"]!["language"]);
        Assert.Equal("1", Assert.IsType<TextBlock>(Assert.Single(n["out"].Content)).Text);
        Assert.Equal("python", (string?)n["out"].Meta!["author_name"]);
        Assert.Equal("failed", Assert.IsType<TextBlock>(Assert.Single(n["err"].Content)).Text);
        Assert.Contains("error", n["err"].Flags);
        Assert.Equal("SomeException", (string?)n["err"].Meta!["content"]!["name"]);

        Assert.Equal("step one", Assert.IsType<ThinkingBlock>(Assert.Single(n["think"].Content)).Text);
        Assert.Equal("Plan", (string?)n["think"].Meta!["content"]!["thoughts"]![0]!["summary"]);
        Assert.Null(n["think"].Meta!["content"]!["thoughts"]![0]!["content"]);
        Assert.Equal("m-1", (string?)n["think"].Meta!["content"]!["source_analysis_msg_id"]);
        Assert.Equal("Thought for 2s", Assert.IsType<ThinkingBlock>(Assert.Single(n["recap"].Content)).Text);

        Assert.Equal("page text", Assert.IsType<TextBlock>(Assert.Single(n["browse"].Content)).Text);
        Assert.Equal("quoted", Assert.IsType<TextBlock>(Assert.Single(n["quote"].Content)).Text);
        Assert.Equal("doc.pdf", (string?)n["quote"].Meta!["content"]!["domain"]);

        // Multimodal: the missing asset is kept whole; transcription and typed text become text.
        var mm = n["mm"].Content;
        Assert.Equal(4, mm.Count);
        var image = Assert.IsType<OpaqueBlock>(mm[0]);
        Assert.Equal(("chatgpt", "image_asset_pointer"), (image.Provider, image.ItemType));
        Assert.Equal("file-service://file-Missing1", (string?)image.Value!["asset_pointer"]);
        Assert.Equal("spoken words", Assert.IsType<TextBlock>(mm[1]).Text);
        Assert.Equal("typed words", Assert.IsType<TextBlock>(mm[2]).Text);
        Assert.Equal("future_part", Assert.IsType<OpaqueBlock>(mm[3]).ItemType);
        Assert.Equal("in", (string?)n["mm"].Meta!["parts"]![0]!["direction"]);

        // An unknown content type is kept whole.
        var future = Assert.IsType<OpaqueBlock>(Assert.Single(n["future"].Content));
        Assert.Equal("future_type", future.ItemType);
        Assert.True(JsonNode.DeepEquals(entries.Single(e => e.Item1 == "future").Item3!["content"], future.Value));
        Assert.Empty(c.Blobs);
    }

    [Fact]
    public void Read_AssetBesideTheFile_BecomesABlob()
    {
        var conversation = ChatGptSamples.Conversation("c4", [
            ("u1", null, ChatGptSamples.Message("u1", "user", new JsonObject
            {
                ["content_type"] = "multimodal_text",
                ["parts"] = new JsonArray(
                    new JsonObject { ["content_type"] = "image_asset_pointer", ["asset_pointer"] = "sediment://file_00000000abc", ["width"] = 1 },
                    new JsonObject { ["content_type"] = "image_asset_pointer", ["asset_pointer"] = "file-service://file-Abc" }),
            })),
        ]);
        var files = new Dictionary<string, byte[]>
        {
            ["user-1/file_00000000abc-1234.png"] = ChatGptSamples.Png,
            ["file-AbcDef-other.png"] = [1, 2, 3], // a longer id that merely starts with file-Abc
            ["file-Abc-photo.jpg"] = [0xFF, 0xD8, 0xFF, 0xE0],
        };
        var input = ChatGptSamples.Input(new JsonArray(conversation).ToJsonString(), sibling: files.GetValueOrDefault, siblings: () => [.. files.Keys]);

        var c = Assert.Single(Format.Read(input, TestContext.Current.CancellationToken));
        var blocks = Assert.Single(c.Nodes).Content.Cast<BlobBlock>().ToList();

        Assert.Equal(("image", "image/png", "file_00000000abc-1234.png", (long?)ChatGptSamples.Png.Length), (blocks[0].BlobKind, blocks[0].MediaType, blocks[0].Name, blocks[0].Size));
        Assert.Equal(Amber.Core.Hashing.ContentId.Of(ChatGptSamples.Png), blocks[0].Blob);
        Assert.Equal(("image/jpeg", "file-Abc-photo.jpg"), (blocks[1].MediaType, blocks[1].Name));
        Assert.Equal(2, c.Blobs.Count);
        Assert.Equal(1, (int)c.Nodes[0].Meta!["parts"]![0]!["width"]!);
    }

    [Fact]
    public void Read_AssistantWithoutSlug_UsesTheConversationDefault()
    {
        var conversation = ChatGptSamples.Conversation("c5", [
            ("u1", null, ChatGptSamples.Message("u1", "user", ChatGptSamples.Text("hi"), createTime: null)),
            ("a1", "u1", ChatGptSamples.Message("a1", "assistant", ChatGptSamples.Text("hello"), metadata: new JsonObject { ["finish_details"] = new JsonObject { ["type"] = "interrupted" } })),
        ], defaultModel: "o3-mini-high");

        var c = Assert.Single(Read(conversation));

        Assert.Equal("o3-mini-high", Assert.Single(c.Models).Requested);
        Assert.Null(c.Nodes[0].Created);
        Assert.Contains(NodeFlags.Interrupted, c.Nodes[1].Flags);
        Assert.Equal("interrupted", c.Nodes[1].Generation!.FinishReason);
    }

    [Fact]
    public void Read_EscapedLoneSurrogates_AreReplacedInTheNormalizedFormOnly()
    {
        var json = new JsonArray(ChatGptSamples.Branched("s1")).ToJsonString()
            .Replace("Sample s1", "Sample \\ud83d", StringComparison.Ordinal)
            .Replace("Answer one", "Answer \\udc00 one \\\\ud83d \\ud83d\\ude00", StringComparison.Ordinal);

        var c = Assert.Single(Format.Read(ChatGptSamples.Input(json), TestContext.Current.CancellationToken));

        Assert.Equal("Sample \uFFFD", c.Record.Title);
        Assert.Equal(2, (int)c.Record.Meta!["lone_surrogates_replaced"]!);
        var answer = c.Nodes.Single(n => (string?)n.Meta!["source_id"] == "a1-s1");
        Assert.Equal("Answer \uFFFD one \\ud83d \U0001F600", Assert.IsType<TextBlock>(Assert.Single(answer.Content)).Text);
        Assert.Equal(json[1..^1], Encoding.UTF8.GetString(c.Raw.Span));
    }

    [Theory]
    [InlineData("""{"id":"bad","title":"no mapping"}""", "no \"mapping\" object")]
    [InlineData("""{"id":"bad","mapping":{"m1":{"id":"m1","message":{"id":"m1","content":{"content_type":"text","parts":[]}},"parent":null,"children":[]}}}""", "author.role")]
    [InlineData("""{"id":"bad","mapping":{"m1":{"id":"m1","message":{"id":"m1","author":{"role":"user"},"content":{"parts":[]}},"parent":null,"children":[]}}}""", "content_type")]
    [InlineData("""{"id":"bad","mapping":{"a":{"message":{"id":"a","author":{"role":"user"},"content":{"content_type":"text"}},"parent":"b"},"b":{"message":{"id":"b","author":{"role":"user"},"content":{"content_type":"text"}},"parent":"a"}}}""", "cycle")]
    [InlineData("""{"id":"bad","mapping":[]}""", "no \"mapping\" object")]
    [InlineData("""42""", "expected a JSON object")]
    public void Read_UnknownShape_ThrowsNamingTheRecord(string bad, string what)
    {
        var json = "[" + ChatGptSamples.Branched("ok").ToJsonString() + "," + bad + "]";
        var e = Assert.Throws<ImportException>(() => Format.Read(ChatGptSamples.Input(json, "export/conversations.json"), TestContext.Current.CancellationToken).ToList());
        Assert.StartsWith("export/conversations.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("record 1", e.Message, StringComparison.Ordinal);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
        if (bad.Contains("\"id\":\"bad\"", StringComparison.Ordinal))
        {
            Assert.Contains("conversation bad", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_ManyConversations_NormalizedInParallel_ComeInFileOrderWithTheirCanonicalNodes()
    {
        var conversations = Enumerable.Range(0, 64).Select(i => ChatGptSamples.Branched($"c{i}")).ToArray();

        var read = Read(conversations);

        Assert.Equal(conversations.Select((_, i) => $"c{i}"), read.Select(c => c.Record.SourceId));
        foreach (var c in read)
        {
            // The bytes and ids the reader computed to name parents go to the archive as they are.
            var canonical = Assert.IsAssignableFrom<IReadOnlyList<CanonicalNode>>(c.Canonical);
            Assert.Equal(c.Nodes, canonical.Select(n => n.Node));
            Assert.Equal(c.Nodes.Select(n => n.ComputeId()), canonical.Select(n => n.Id));
            Assert.Equal(c.Nodes.Select(n => Convert.ToHexString(n.ToCanonicalBytes())), canonical.Select(n => Convert.ToHexString(n.Bytes.Span)));
        }
    }

    [Fact]
    public void Read_TwoBadConversations_TheFirstInTheFileIsReported()
    {
        var conversations = Enumerable.Range(0, 40).Select(i => ChatGptSamples.Branched($"c{i}")).ToArray();
        conversations[7]["mapping"] = "not an object";
        conversations[30]["mapping"] = "not an object";

        var e = Assert.Throws<ImportException>(() => Read(conversations));

        Assert.Contains("conversation c7", e.Message, StringComparison.Ordinal);
    }

    private static List<ImportedConversation> Read(params JsonObject[] conversations)
        => [.. Format.Read(ChatGptSamples.Input(new JsonArray(conversations.Select(c => (JsonNode)c.DeepClone()).ToArray()).ToJsonString()), TestContext.Current.CancellationToken)];
}

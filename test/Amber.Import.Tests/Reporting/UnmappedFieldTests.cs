using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Testing;

namespace Amber.Import.Tests.Reporting;

/// <summary>
/// Fields a format leaves in the raw source only are reported per file (once per conversation they were left out
/// of), and a field the format maps is never reported: checked on every sample folder against what the raw files
/// hold, and on small files carrying a field no format knows.
/// </summary>
public sealed class UnmappedFieldTests
{
    public static TheoryData<string> SampleFolders
    {
        get
        {
            var root = SharedData.PathTo("samples");
            var data = new TheoryData<string>();
            var folders = root is not null && Directory.Exists(root) ? Directory.GetDirectories(root).Select(d => Path.GetFileName(d)) : [];
            foreach (var folder in folders.Order(StringComparer.Ordinal))
            {
                data.Add(folder);
            }

            if (data.Count == 0)
            {
                data.Add("(no samples)");
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(SampleFolders))]
    public void Import_SampleFolder_ReportsExactlyTheFieldsItsRawFilesHoldAndNoFormatMaps(string folder)
    {
        var path = SharedData.RequireSample(folder);
        using var fx = new ImportFixture();

        var summary = fx.Import(path);

        Assert.Empty(summary.Errors);
        var reported = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in summary.Files)
        {
            foreach (var (subject, count) in file.Notes.Of(ImportNoteKind.UnmappedField))
            {
                reported[subject] = reported.GetValueOrDefault(subject) + count;
            }
        }

        var expected = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in summary.Files)
        {
            foreach (var (subject, count) in Expected(file.Format, file.File))
            {
                expected[subject] = expected.GetValueOrDefault(subject) + count;
            }
        }

        Assert.Equal(expected, reported);
    }

    [Fact]
    public void Import_CodexSample_ReportsTheTurnContextFieldsItDropsAndItsEventLinesAsNotPlaced()
    {
        var path = SharedData.RequireSample(Path.Combine("codex-rollout-localpush", "rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl"));
        using var fx = new ImportFixture();

        var file = Assert.Single(fx.Import(path).Files);

        // The sample's turn_context carries the working folder, sandbox and approval policies and the instructions.
        var unmapped = file.Notes.Of(ImportNoteKind.UnmappedField);
        Assert.Contains("turn_context.cwd", unmapped.Keys);
        Assert.Contains("turn_context.sandbox_policy", unmapped.Keys);
        Assert.DoesNotContain("turn_context.model", unmapped.Keys);
        Assert.DoesNotContain("turn_context.effort", unmapped.Keys);
        var events = File.ReadLines(path).Where(l => l.Trim().Length > 0).Select(l => JsonNode.Parse(l)!)
            .Where(o => (string?)o["type"] == "event_msg" && (string?)o["payload"]!["type"] != "token_count")
            .GroupBy(o => $"\"event_msg/{(string?)o["payload"]!["type"]}\" records")
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.NotEmpty(events);
        foreach (var (subject, count) in events)
        {
            Assert.Equal(count, file.Notes.Of(ImportNoteKind.UnplacedRecord)[subject]);
        }
    }

    [Fact]
    public void Import_CodexRolloutWithNewFields_ReportsEachOnceAndMapsTheKnownOnes()
    {
        var lines = new[]
        {
            """{"timestamp":"2026-01-01T00:00:00Z","type":"session_meta","payload":{"id":"s-1","cwd":"/w","cli_version":"0.1","new_meta":1}}""",
            """{"timestamp":"2026-01-01T00:00:01Z","type":"turn_context","payload":{"turn_id":"t1","model":"gpt-x","effort":"low","summary":"auto","approval_policy":"never","empty":""}}""",
            """{"timestamp":"2026-01-01T00:00:02Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"fix it"}]}}""",
            """{"timestamp":"2026-01-01T00:00:03Z","type":"turn_context","payload":{"turn_id":"t2","model":"gpt-x","approval_policy":"never"}}""",
            """{"timestamp":"2026-01-01T00:00:04Z","type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"done","annotations":[{"url":"u"}],"logprobs":[]}]}}""",
            """{"timestamp":"2026-01-01T00:00:05Z","type":"event_msg","payload":{"type":"task_complete"}}""",
        };
        using var fx = new ImportFixture();
        var path = fx.Temp("rollout-new-fields.jsonl");
        File.WriteAllText(path, string.Join('\n', lines) + "\n", Encoding.UTF8);

        var file = Assert.Single(fx.Import(path).Files);

        // Two turn_context lines name approval_policy: one conversation, counted once; empty values lose nothing.
        Assert.Equal(new Dictionary<string, int> { ["message.content[].annotations"] = 1, ["turn_context.approval_policy"] = 1 }, file.Notes.Of(ImportNoteKind.UnmappedField));
        var view = fx.Archive.GetConversation(Assert.Single(fx.Archive.ListConversations(10)).Id)!;
        Assert.Equal(1, (int)view.Record.Meta!["new_meta"]!); // session_meta's other fields go to the record's meta: mapped
    }

    [Fact]
    public void Import_ChatGptMappingEntryWithAnUnknownMember_ReportsItOncePerConversation()
    {
        var conversation = new JsonObject
        {
            ["id"] = "c-1",
            ["title"] = "t",
            ["create_time"] = 1700000000.0,
            ["mapping"] = new JsonObject
            {
                ["a"] = Entry("a", null, "user", "hi", ["b"]),
                ["b"] = Entry("b", "a", "assistant", "hello", []),
            },
        };
        conversation["mapping"]!["a"]!["annotation"] = "kept raw only";
        conversation["mapping"]!["b"]!["annotation"] = "kept raw only";
        conversation["mapping"]!["b"]!["empty"] = new JsonObject();
        using var fx = new ImportFixture();
        var path = fx.Temp("conversations.json");
        File.WriteAllText(path, new JsonArray(conversation).ToJsonString());

        var file = Assert.Single(fx.ImportAs("chatgpt", path).Files);

        Assert.Equal(new Dictionary<string, int> { ["mapping[].annotation"] = 1 }, file.Notes.Of(ImportNoteKind.UnmappedField));
    }

    [Fact]
    public void Import_OpenWebUiHistoryWithAnUnknownMember_ReportsIt()
    {
        var chat = new JsonObject
        {
            ["id"] = "w-1",
            ["title"] = "t",
            ["history"] = new JsonObject
            {
                ["currentId"] = "m2",
                ["pinned"] = new JsonArray("m2"),
                ["messages"] = new JsonObject
                {
                    ["m1"] = new JsonObject { ["id"] = "m1", ["parentId"] = null, ["childrenIds"] = new JsonArray("m2"), ["role"] = "user", ["content"] = "hi", ["timestamp"] = 1744577557 },
                    ["m2"] = new JsonObject { ["id"] = "m2", ["parentId"] = "m1", ["childrenIds"] = new JsonArray(), ["role"] = "assistant", ["content"] = "hello", ["model"] = "m", ["timestamp"] = 1744577560 },
                },
            },
        };
        using var fx = new ImportFixture();
        var path = fx.Temp("chat.json");
        File.WriteAllText(path, new JsonArray(chat).ToJsonString());

        var file = Assert.Single(fx.ImportAs("openwebui", path).Files);

        Assert.Null(file.Error);
        Assert.Equal(new Dictionary<string, int> { ["history.pinned"] = 1 }, file.Notes.Of(ImportNoteKind.UnmappedField));
        var view = fx.Archive.GetConversation(Assert.Single(fx.Archive.ListConversations(10)).Id)!;
        Assert.Equal("m2", (string)view.Record.Meta!["currentId"]!); // mapped, so not reported
    }

    [Fact]
    public void Import_GeminiCliPartWithMoreThanText_ReportsTheOtherMembers()
    {
        var session = new JsonObject
        {
            ["sessionId"] = "g-1",
            ["projectHash"] = "p",
            ["startTime"] = "2026-01-01T00:00:00Z",
            ["messages"] = new JsonArray(
                new JsonObject { ["id"] = "1", ["timestamp"] = "2026-01-01T00:00:01Z", ["type"] = "user", ["content"] = new JsonArray(new JsonObject { ["text"] = "hi" }) },
                new JsonObject { ["id"] = "2", ["timestamp"] = "2026-01-01T00:00:02Z", ["type"] = "gemini", ["model"] = "gemini-x", ["content"] = new JsonArray(new JsonObject { ["text"] = "ok", ["thoughtSignature"] = "c2ln" }) }),
        };
        using var fx = new ImportFixture();
        var path = fx.Temp("session-1.json");
        File.WriteAllText(path, session.ToJsonString());

        var file = Assert.Single(fx.ImportAs("gemini-cli", path).Files);

        Assert.Equal(new Dictionary<string, int> { ["content[].thoughtSignature"] = 1 }, file.Notes.Of(ImportNoteKind.UnmappedField));
        var view = fx.Archive.GetConversation(Assert.Single(fx.Archive.ListConversations(10)).Id)!;
        Assert.Contains(view.Tree.Nodes.Values, n => n.Content.OfType<TextBlock>().Any(b => b.Text == "ok"));
    }

    [Theory]
    [InlineData("sillytavern")]
    [InlineData("librechat")]
    [InlineData("claude-code")]
    public void Import_FormatThatKeepsUnmodelledFieldsInMeta_ReportsNoneAndKeepsTheField(string format)
    {
        using var fx = new ImportFixture();
        var path = fx.Temp(format == "claude-code" ? "s.jsonl" : format == "sillytavern" ? "chat.jsonl" : "chat.json");
        File.WriteAllText(path, format switch
        {
            "sillytavern" => """
                {"user_name":"You","character_name":"C","create_date":"2023-01-01 @10h 00m 00s 000ms","chat_metadata":{}}
                {"name":"You","is_user":true,"send_date":"2023-01-01 @10h 00m 01s 000ms","mes":"hi","novel_field":7}
                """,
            "librechat" => """{"conversationId":"l-1","title":"t","messages":[{"messageId":"m1","parentMessageId":"00000000-0000-0000-0000-000000000000","isCreatedByUser":true,"text":"hi","novel_field":7}]}""",
            _ => """{"type":"user","uuid":"u1","parentUuid":null,"sessionId":"s1","timestamp":"2026-01-01T00:00:00Z","message":{"role":"user","content":"hi"},"novel_field":7}""" + "\n",
        });

        var file = Assert.Single(fx.ImportAs(format, path).Files);

        Assert.Null(file.Error);
        Assert.Empty(file.Notes.Of(ImportNoteKind.UnmappedField));
        var view = fx.Archive.GetConversation(Assert.Single(fx.Archive.ListConversations(10)).Id)!;
        Assert.Contains(view.Tree.Nodes.Values, n => n.Meta?["novel_field"] is JsonValue v && v.GetValue<int>() == 7);
    }

    private static JsonObject Entry(string id, string? parent, string role, string text, string[] children) => new()
    {
        ["id"] = id,
        ["parent"] = parent,
        ["children"] = new JsonArray([.. children.Select(c => (JsonNode)c)]),
        ["message"] = new JsonObject
        {
            ["id"] = id,
            ["author"] = new JsonObject { ["role"] = role },
            ["content"] = new JsonObject { ["content_type"] = "text", ["parts"] = new JsonArray(text) },
            ["create_time"] = 1700000000.0,
            ["metadata"] = new JsonObject { ["model_slug"] = role == "assistant" ? "gpt-4o" : null },
        },
    };

    /// <summary>
    /// What a sample file holds that its format leaves in the raw source, read from the raw file with the format's rule
    /// (docs/ARCHITECTURE.md, "Never guessing silently"): one count per conversation a field was left out of. The
    /// formats not named here copy every field they do not model into meta, so expect none.
    /// </summary>
    private static Dictionary<string, int> Expected(string? format, string file)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(IEnumerable<string> subjects)
        {
            foreach (var s in subjects.Distinct(StringComparer.Ordinal))
            {
                result[s] = result.GetValueOrDefault(s) + 1;
            }
        }

        switch (format)
        {
            case "chatgpt":
                foreach (var c in Objects(JsonNode.Parse(File.ReadAllText(file))))
                {
                    var subjects = new List<string>(new[] { "moderation_results", "safe_urls", "blocked_urls" }.Where(f => c[f] is JsonArray { Count: > 0 } or JsonObject { Count: > 0 }));
                    foreach (var (_, entry) in c["mapping"]!.AsObject())
                    {
                        subjects.AddRange(Others(entry!.AsObject(), "mapping[]", "id", "parent", "children", "message"));
                    }

                    Add(subjects);
                }

                break;
            case "codex":
                {
                    var subjects = new List<string>();
                    foreach (var line in File.ReadLines(file).Where(l => l.Trim().Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()))
                    {
                        var payload = line["payload"] as JsonObject;
                        switch ((string?)line["type"], (string?)payload?["type"])
                        {
                            case ("turn_context", _):
                                subjects.AddRange(Others(payload!, "turn_context", "turn_id", "model", "effort", "summary"));
                                break;
                            case ("response_item", "message"):
                                foreach (var part in (payload!["content"] as JsonArray ?? []).OfType<JsonObject>().Where(p => (string?)p["type"] is "input_text" or "output_text"))
                                {
                                    subjects.AddRange(Others(part, "message.content[]", "type", "text"));
                                }

                                break;
                            case ("response_item", "reasoning"):
                                foreach (var side in new[] { "summary", "content" })
                                {
                                    foreach (var part in (payload![side] as JsonArray ?? []).OfType<JsonObject>().Where(p => p["text"]?.GetValueKind() == JsonValueKind.String))
                                    {
                                        subjects.AddRange(Others(part, $"reasoning.{side}[]", "type", "text"));
                                    }
                                }

                                break;
                            case ("response_item", "function_call_output" or "custom_tool_call_output"):
                                if (payload!["output"] is JsonObject output && output["content"]?.GetValueKind() == JsonValueKind.String)
                                {
                                    subjects.AddRange(Others(output, "function_call_output.output", "content"));
                                }

                                break;
                        }
                    }

                    Add(subjects);
                    break;
                }

            case "gemini-cli":
                foreach (var session in Objects(JsonNode.Parse(File.ReadAllText(file))))
                {
                    var messages = session["messages"] as JsonArray ?? new JsonArray(session.DeepClone());
                    var parts = messages.OfType<JsonObject>().SelectMany(m => (m["content"] ?? m["message"]) as JsonArray ?? []).OfType<JsonObject>();
                    Add(parts.Where(p => p["text"]?.GetValueKind() == JsonValueKind.String).SelectMany(p => Others(p, "content[]", "text")));
                }

                break;
            case "openwebui":
                foreach (var chat in Objects(JsonNode.Parse(File.ReadAllText(file))))
                {
                    var inner = chat["chat"] as JsonObject ?? chat;
                    Add(inner["history"] is JsonObject history ? Others(history, "history", "messages", "currentId") : []);
                }

                break;
        }

        return result;
    }

    private static IEnumerable<JsonObject> Objects(JsonNode? root) => root switch
    {
        JsonArray a => a.OfType<JsonObject>(),
        JsonObject o => [o],
        _ => [],
    };

    /// <summary>The members of <paramref name="o"/> outside <paramref name="mapped"/> holding something, named "scope.member".</summary>
    private static IEnumerable<string> Others(JsonObject o, string scope, params string[] mapped)
        => o.Where(p => !mapped.Contains(p.Key) && p.Value switch
        {
            null => false,
            JsonObject x => x.Count > 0,
            JsonArray x => x.Count > 0,
            JsonValue x => x.GetValueKind() != JsonValueKind.String || x.GetValue<string>().Length > 0,
            _ => true,
        }).Select(p => $"{scope}.{p.Key}");
}

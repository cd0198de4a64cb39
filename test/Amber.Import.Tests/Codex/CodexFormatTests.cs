using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage.Reading;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.Codex;

/// <summary>The real Codex rollouts of ../shared/samples, asserted against figures taken from their own lines.</summary>
public sealed class CodexFormatTests
{
    public static TheoryData<string> Files => CodexSamples.Files;

    private static ConversationView Single(ImportFixture f)
        => f.Archive.GetConversation(Assert.Single(f.Archive.ListConversations(1000)).Id)!;

    private static Dictionary<long, Node> ByLine(ConversationView view)
        => view.Tree.Nodes.Values.ToDictionary(n => (long)n.Meta!["line"]!);

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_SampleRollout_CountsMatchItsLines(string file)
    {
        var path = CodexSamples.PathOf(file);
        var lines = CodexSamples.Lines(path);
        var sessions = lines.Where(l => l.Type == "session_meta").Select(l => (string)l.Payload["id"]!).Distinct().Count();
        var items = lines.Count(l => l.Type == "response_item");
        using var f = new ImportFixture();

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        Assert.Equal("codex", Assert.Single(s.Files).Format); // detected before openai-jsonl
        Assert.Equal((1, items, 1), (sessions, s.Nodes, s.Instances));
        Assert.Equal(1, s.Conversations);
        Assert.Equal(1, s.NewConversations);
        Assert.Equal(items, s.NewNodes);
        var view = Single(f);
        var meta = (JsonObject)lines[0].Payload;
        Assert.Equal(("codex", "codex", (string)meta["id"]!), (view.Record.Format, view.Record.Source, view.Record.SourceId));
        Assert.Equal(items, view.Tree.Count);
        Assert.Single(view.Tree.Leaves); // a rollout is linear
        var chain = view.Tree.PathTo(view.Tree.Leaves[0]);
        Assert.Equal(lines.Where(l => l.Type == "response_item").Select(l => (long)l.Line), chain.Select(p => (long)p.Node.Meta!["line"]!));
        Assert.Equal((string?)meta["cli_version"], (string?)view.Record.Meta!["cli_version"]);
        Assert.Equal((string?)meta["cwd"], (string?)view.Record.Meta!["cwd"]);
        Assert.NotNull(view.Record.Meta!["base_instructions"]);
        Assert.True(ArchiveVerifier.Verify(f.Archive).Ok);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_SampleRollout_MapsItemsToBlocks(string file)
    {
        var path = CodexSamples.PathOf(file);
        var items = CodexSamples.Lines(path).Where(l => l.Type == "response_item").Select(l => l.Payload).ToList();
        int Count(string type) => items.Count(p => CodexSamples.PayloadType(p) == type);
        using var f = new ImportFixture();
        Assert.Empty(f.Import(path).Errors);

        var nodes = Single(f).Tree.Nodes.Values.ToList();
        var content = nodes.SelectMany(n => n.Content).ToList();
        var calls = content.OfType<ToolCallBlock>().ToList();
        Assert.Equal(Count("function_call"), calls.Count);
        Assert.Equal(
            items.Where(p => CodexSamples.PayloadType(p) == "function_call").Select(p => ((string)p["call_id"]!, (string)p["name"]!, (string)p["arguments"]!)),
            calls.Select(c => (c.Id!, c.Name, (string)c.Arguments!)));
        var results = content.OfType<ToolResultBlock>().ToList();
        Assert.Equal(items.Where(p => CodexSamples.PayloadType(p) == "function_call_output").Select(p => (string)p["call_id"]!), results.Select(r => r.CallId!));
        Assert.All(nodes.Where(n => n.Content.Any(c => c is ToolResultBlock)), n => Assert.Equal("tool", n.Role));

        // Encrypted reasoning is kept as an opaque item, byte for byte; summaries become thinking blocks.
        var encrypted = content.OfType<OpaqueBlock>().Where(o => o.ItemType == "encrypted_reasoning").Select(o => (string)o.Value!).ToList();
        Assert.Equal(items.Where(p => p["encrypted_content"] is JsonValue).Select(p => (string)p["encrypted_content"]!), encrypted);
        Assert.NotEmpty(encrypted);
        Assert.Equal(items.Where(p => CodexSamples.PayloadType(p) == "reasoning").Sum(p => p["summary"]!.AsArray().Count), content.OfType<ThinkingBlock>().Count());
        var messages = items.Where(p => CodexSamples.PayloadType(p) == "message").ToList();
        Assert.Equal(messages.Sum(p => p["content"]!.AsArray().Count), content.OfType<TextBlock>().Count());
        Assert.All(results, r => Assert.IsType<TextBlock>(Assert.Single(r.Content)));
        Assert.Equal(messages.Count(p => (string?)p["role"] == "developer"), nodes.Count(n => n.Flags.Contains(NodeFlags.System)));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_SampleRollout_CreditsTurnModelAndTokenUsage(string file)
    {
        var path = CodexSamples.PathOf(file);
        var lines = CodexSamples.Lines(path);

        // Expected, from the lines alone: the model of the latest turn_context; the usage of a token_count on
        // the response item just before it when that item is a generated one not yet counted.
        var expectedModel = new Dictionary<long, string?>();
        var expectedUsage = new Dictionary<long, JsonObject>();
        string? model = null;
        (long Line, bool Generated, bool Counted)? last = null;
        foreach (var (line, type, payload) in lines)
        {
            switch (type)
            {
                case "turn_context":
                    model = (string?)payload["model"];
                    break;
                case "response_item":
                    var generated = CodexSamples.IsGenerated(payload);
                    expectedModel[line] = generated ? model : null;
                    last = (line, generated, false);
                    break;
                case "event_msg" when CodexSamples.PayloadType(payload) == "token_count" && (payload["info"]?["last_token_usage"] is JsonObject usage):
                    if (last is { Generated: true, Counted: false } l)
                    {
                        expectedUsage[l.Line] = usage;
                        last = l with { Counted = true };
                    }

                    break;
            }
        }

        Assert.NotEmpty(expectedUsage);
        using var f = new ImportFixture();
        Assert.Empty(f.Import(path).Errors);

        var view = Single(f);
        var byLine = ByLine(view);
        Assert.Equal(expectedModel.Keys.Order(), byLine.Keys.Order());
        foreach (var (line, name) in expectedModel)
        {
            var g = byLine[line].Generation;
            Assert.Equal(name, g is null ? null : view.Models[g.Model].Requested);
            if (g is not null)
            {
                Assert.Equal("openai", view.Models[g.Model].Provider);
            }
        }

        Assert.Equal(expectedUsage.Keys.Order(), byLine.Where(kv => kv.Value.Generation?.Usage is not null).Select(kv => kv.Key).Order());
        Assert.All(expectedUsage, kv => Assert.True(JsonNode.DeepEquals(kv.Value, byLine[kv.Key].Generation!.Usage)));
        Assert.Equal(expectedUsage.Values.Sum(u => (long)u["output_tokens"]!), byLine.Values.Sum(n => (long?)n.Generation?.Usage?["output_tokens"] ?? 0));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Import_SampleRolloutTwice_AddsNothingAndRawIsTheFile(string file)
    {
        var path = CodexSamples.PathOf(file);
        using var f = new ImportFixture();
        f.AssertReimportAddsNothing(path);
        var view = Single(f);
        Assert.Equal(File.ReadAllBytes(path), f.Archive.GetBlob(view.Raw[^1]));
    }

    [Fact]
    public void Import_SampleRollout_ReportsLinesItDidNotMap()
    {
        var path = CodexSamples.PathOf(CodexSamples.Long);
        var lines = CodexSamples.Lines(path);
        using var f = new ImportFixture();
        Assert.Empty(f.Import(path).Errors);

        var notMapped = Single(f).Record.Meta!["not_mapped"]!.AsObject();
        foreach (var kind in new[] { "agent_message", "agent_reasoning", "user_message", "task_complete" })
        {
            Assert.Equal(lines.Count(l => l.Type == "event_msg" && CodexSamples.PayloadType(l.Payload) == kind), (int)notMapped["event_msg/" + kind]!);
        }

        Assert.True(Single(f).Record.Meta!["linear"]!.GetValue<bool>());
    }

    public static TheoryData<string, int> Splits()
    {
        var data = new TheoryData<string, int>();
        foreach (var split in new[] { 1, 2, 11, 12, 13, 17, 18 })
        {
            data.Add(CodexSamples.Short, split);
        }

        foreach (var split in new[] { 20, 100, 209, 300, 416 })
        {
            data.Add(CodexSamples.Long, split);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Splits))]
    public void Import_GrowingRollout_AppendedLinesBecomeNewNodesOfOneConversation(string file, int split)
    {
        var path = CodexSamples.PathOf(file);
        var text = File.ReadAllLines(path);
        var items = CodexSamples.Lines(path).Count(l => l.Type == "response_item");
        using var f = new ImportFixture();
        var dir = f.Temp("sessions/2026/02/23");
        Directory.CreateDirectory(dir);
        var grown = Path.Combine(dir, file);
        File.WriteAllText(grown, string.Join('\n', text.Take(split)) + "\n");
        var first = f.Import(grown);
        Assert.Empty(first.Errors);

        File.AppendAllText(grown, string.Join('\n', text.Skip(split)) + "\n");
        var second = f.Import(grown);

        Assert.Empty(second.Errors);
        Assert.Equal(0, second.NewConversations);
        Assert.Equal(items, first.NewNodes + second.NewNodes); // nothing built twice
        var view = Single(f);
        Assert.Equal(items, view.Tree.Count);
        Assert.Single(view.Tree.Leaves);
        Assert.Equal(items, f.Archive.GetStats().Nodes);
        Assert.Equal(File.ReadAllBytes(path), f.Archive.GetBlob(view.Raw[^1]));
    }

    [Fact]
    public void Import_GrowingRollout_HoldsBackAModelCallNotYetCounted()
    {
        var path = CodexSamples.PathOf(CodexSamples.Short);
        var lines = CodexSamples.Lines(path);
        var call = lines.First(l => CodexSamples.PayloadType(l.Payload) == "function_call").Line;
        using var f = new ImportFixture();
        var part = f.Temp(CodexSamples.Short);
        File.WriteAllLines(part, File.ReadAllLines(path).Take(call));

        var s = f.Import(part);

        Assert.Empty(s.Errors);
        var view = Single(f);

        // The reasoning, the commentary and the call of the last model call wait for its token count.
        var held = lines.Where(l => l.Line <= call && l.Type == "response_item").Reverse().TakeWhile(l => CodexSamples.IsGenerated(l.Payload)).Count();
        Assert.True(held >= 2);
        Assert.Equal(lines.Count(l => l.Line <= call && l.Type == "response_item") - held, view.Tree.Count);
        Assert.Equal(held, (int)view.Record.Meta!["held_back_items"]!);
    }

    [Fact]
    public void Import_NestedSessionsFolder_FindsEveryRollout()
    {
        using var f = new ImportFixture();
        var root = f.Temp("codex-home");
        foreach (var (file, day) in new[] { (CodexSamples.Long, "23"), (CodexSamples.Short, "23"), (CodexSamples.Medium, "24") })
        {
            var dir = Path.Combine(root, "sessions", "2026", "02", day);
            Directory.CreateDirectory(dir);
            File.Copy(CodexSamples.PathOf(file), Path.Combine(dir, file));
        }

        var s = f.Import(root);

        Assert.Empty(s.Errors);
        Assert.Equal(3, s.Files.Count);
        Assert.All(s.Files, r => Assert.Equal("codex", r.Format));
        Assert.Equal(3, s.NewConversations);
    }

    [Fact]
    public void Import_TruncatedRollout_IsRefusedNamingFileAndLine()
    {
        var path = CodexSamples.PathOf(CodexSamples.Medium);
        var bytes = File.ReadAllBytes(path);
        var lineCount = bytes.Count(b => b == (byte)'\n');
        using var f = new ImportFixture();
        var cut = f.Temp("cut-" + CodexSamples.Medium);
        File.WriteAllBytes(cut, bytes[..^40]);

        var s = f.Import(cut);

        var error = Assert.Single(s.Errors);
        Assert.Contains(cut, error, StringComparison.Ordinal);
        Assert.Contains($"line {lineCount}", error, StringComparison.Ordinal);
        Assert.Empty(f.Archive.ListConversations(10));
    }

    [Fact]
    public void Import_ShuffledRollout_IsRefusedNamingFileAndLine()
    {
        var path = CodexSamples.PathOf(CodexSamples.Medium);
        var text = File.ReadAllLines(path);
        (text[10], text[30]) = (text[30], text[10]);
        using var f = new ImportFixture();
        var shuffled = f.Temp("shuffled-" + CodexSamples.Medium);
        File.WriteAllLines(shuffled, text);
        var headless = f.Temp("headless-" + CodexSamples.Medium);
        File.WriteAllLines(headless, File.ReadAllLines(path).Skip(1));

        var s = f.ImportAs("codex", shuffled, headless);

        Assert.Equal(2, s.Errors.Count);
        Assert.Contains(shuffled, s.Errors[0], StringComparison.Ordinal);
        Assert.Contains("line 12", s.Errors[0], StringComparison.Ordinal); // the first line older than the one before it
        Assert.Contains("out of order", s.Errors[0], StringComparison.Ordinal);
        Assert.Contains(headless, s.Errors[1], StringComparison.Ordinal);
        Assert.Contains("line 1", s.Errors[1], StringComparison.Ordinal);
        Assert.Contains("before the session_meta", s.Errors[1], StringComparison.Ordinal);
        Assert.Empty(f.Archive.ListConversations(10));
    }

    [Fact]
    public void Import_SyntheticRollout_MapsCustomToolsAndUnknownItems()
    {
        var lines = new[]
        {
            """{"timestamp":"2026-01-01T00:00:00Z","type":"session_meta","payload":{"id":"s-1","cwd":"/w","cli_version":"0.1"}}""",
            """{"timestamp":"2026-01-01T00:00:01Z","type":"turn_context","payload":{"turn_id":"t1","model":"gpt-x","effort":"low"}}""",
            """{"timestamp":"2026-01-01T00:00:02Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"fix it"}]}}""",
            """{"timestamp":"2026-01-01T00:00:03Z","type":"response_item","payload":{"type":"custom_tool_call","call_id":"c1","name":"apply_patch","input":"*** Begin Patch"}}""",
            """{"timestamp":"2026-01-01T00:00:04Z","type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":{"input_tokens":10,"output_tokens":3}}}}""",
            """{"timestamp":"2026-01-01T00:00:05Z","type":"response_item","payload":{"type":"custom_tool_call_output","call_id":"c1","output":"Done"}}""",
            """{"timestamp":"2026-01-01T00:00:06Z","type":"response_item","payload":{"type":"web_search_call","status":"completed","action":{"query":"q"}}}""",
            """{"timestamp":"2026-01-01T00:00:07Z","type":"compacted","payload":{"message":"summary"}}""",
            """{"timestamp":"2026-01-01T00:00:08Z","type":"event_msg","payload":{"type":"task_complete"}}""",
        };
        using var f = new ImportFixture();
        var path = f.Temp("rollout-synthetic.jsonl");
        File.WriteAllText(path, string.Join('\n', lines) + "\n", Encoding.UTF8);

        var s = f.Import(path);

        Assert.Empty(s.Errors);
        var view = Single(f);
        Assert.Equal("fix it", view.Record.Title);
        var chain = view.Tree.PathTo(Assert.Single(view.Tree.Leaves)).Select(p => p.Node).ToList();
        Assert.Equal(["user", "assistant", "tool", "assistant"], chain.Select(n => n.Role));
        var call = Assert.IsType<ToolCallBlock>(Assert.Single(chain[1].Content));
        Assert.Equal(("c1", "apply_patch", "*** Begin Patch"), (call.Id, call.Name, (string)call.Arguments!));
        Assert.Equal(3, (int)chain[1].Generation!.Usage!["output_tokens"]!);
        Assert.Equal("low", (string)chain[1].Generation!.Parameters!["reasoning_effort"]!);
        Assert.Equal("Done", Assert.IsType<TextBlock>(Assert.Single(Assert.IsType<ToolResultBlock>(Assert.Single(chain[2].Content)).Content)).Text);
        Assert.Equal("web_search_call", Assert.IsType<OpaqueBlock>(Assert.Single(chain[3].Content)).ItemType);
        Assert.Null(chain[3].Generation!.Usage); // released without a count by task_complete
        Assert.Equal(1, (int)view.Record.Meta!["not_mapped"]!["compacted"]!);
    }
}

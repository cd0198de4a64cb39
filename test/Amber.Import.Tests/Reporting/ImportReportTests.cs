using System.Text.Json.Nodes;
using Amber.Import.Formats;
using Amber.Import.Tests.ChatGpt;
using Amber.Testing;

namespace Amber.Import.Tests.Reporting;

/// <summary>Imports never guess silently: what was not imported, and why, is in the summary.</summary>
public sealed class ImportReportTests
{
    /// <summary>Claude Code keys without "uuid", "parentUuid" and "message": close to claude-code, and fitting no format.</summary>
    private const string NearlyClaudeCode = "{\"type\":\"user\",\"sessionId\":\"s1\",\"timestamp\":\"2025-01-01T00:00:00Z\"}\n";

    [Fact]
    public void Import_FolderOfUnrecognizedFiles_FailsAndListsEachFileWithTheClosestFormats()
    {
        using var fx = new ImportFixture();
        using var folder = new TempDirectory();
        File.WriteAllText(folder.Combine("session.jsonl"), NearlyClaudeCode);
        File.WriteAllText(folder.Combine("notes.md"), "# not a conversation\n");

        var summary = fx.Import(folder.Path);

        Assert.False(summary.Ok);
        Assert.Equal(0, summary.Conversations);
        var error = Assert.Single(summary.Errors);
        Assert.Contains("no importable file found", error, StringComparison.Ordinal);
        Assert.StartsWith(folder.Path, error, StringComparison.Ordinal);
        var skipped = Assert.Single(summary.Skipped);
        Assert.Equal(folder.Combine("session.jsonl"), skipped.Path);
        Assert.Contains("Closest: claude-code expects JSON Lines of a Claude Code session", skipped.Reason, StringComparison.Ordinal);
        Assert.Contains("lacks \"uuid\", \"parentUuid\", \"message\"", skipped.Reason, StringComparison.Ordinal);
        Assert.Equal([folder.Combine("notes.md")], summary.Ignored);
    }

    [Fact]
    public void Import_FolderWithOneUnrecognizedFileBesideAGoodOne_ImportsTheGoodOneAndListsTheOther()
    {
        using var fx = new ImportFixture();
        using var folder = new TempDirectory();
        ChatGptSamples.Write(folder.Combine("conversations.json"), ChatGptSamples.Branched("c1"));
        File.WriteAllText(folder.Combine("other.jsonl"), NearlyClaudeCode);

        var summary = fx.Import(folder.Path);

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Equal(1, summary.NewConversations);
        Assert.Equal(folder.Combine("other.jsonl"), Assert.Single(summary.Skipped).Path);
    }

    [Fact]
    public void Import_NamedFileOfNoKnownShape_ErrorNamesItsKeysAndWhyTheClosestFormatsDidNotFit()
    {
        using var fx = new ImportFixture();
        using var folder = new TempDirectory();
        var file = folder.Combine("export.json");
        File.WriteAllText(file, """[{"title":"t","create_time":1700000000,"messages":{"a":1}}]""");

        var summary = fx.Import(file);

        var error = Assert.Single(summary.Errors);
        Assert.Contains("cannot tell which export format", error, StringComparison.Ordinal);
        Assert.Contains("has keys \"title\", \"create_time\", \"messages\"", error, StringComparison.Ordinal);
        Assert.Contains("chatgpt expects a JSON array of conversations", error, StringComparison.Ordinal);
        Assert.Contains("lacks \"mapping\", \"current_node\", \"update_time\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_NotJsonAtAll_SaysSo()
    {
        using var fx = new ImportFixture();
        using var folder = new TempDirectory();
        var file = folder.Combine("export.json");
        File.WriteAllText(file, "hello");

        var error = Assert.Single(fx.Import(file).Errors);

        Assert.Contains("does not start with a JSON object or array", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_ForcedFormatOnAnotherShape_SaysWhatShapeThatFormatExpects()
    {
        using var fx = new ImportFixture();
        using var folder = new TempDirectory();
        var file = ChatGptSamples.Write(folder.Combine("conversations.json"), ChatGptSamples.Branched("c1"));

        var summary = fx.ImportAs("claude", file);

        var error = Assert.Single(summary.Errors);
        var claude = FormatRegistry.All.Single(f => f.Name == "claude");
        Assert.Contains("--format claude expects " + claude.Shape!.Description, error, StringComparison.Ordinal);
        Assert.Equal(0L, fx.Archive.GetStats().Conversations);
    }

    [Fact]
    public void EveryFormat_DescribesItsExpectedShape()
    {
        Assert.All(FormatRegistry.All, f => Assert.False(string.IsNullOrWhiteSpace(f.Shape?.Description), f.Name + " has no shape"));
    }

    [Fact]
    public void Import_ChatAppRepliesCreditedTheRequestsModel_AreCountedAsInferredModels()
    {
        using var fx = new ImportFixture();
        using var folder = new TempDirectory();
        static JsonObject Response(string id, string? parent, string sender, string text, string? model) => new()
        {
            ["response"] = new JsonObject
            {
                ["response_id"] = id,
                ["parent_response_id"] = parent,
                ["sender"] = sender,
                ["message"] = text,
                ["create_time"] = "2025-03-01T10:00:00Z",
                ["metadata"] = model is null ? null : new JsonObject { ["requestModelDetails"] = new JsonObject { ["modelId"] = model } },
            },
        };
        var export = new JsonObject
        {
            ["conversations"] = new JsonArray(new JsonObject
            {
                ["conversation"] = new JsonObject { ["conversation_id"] = "g1", ["title"] = "t", ["create_time"] = "2025-03-01T10:00:00Z" },
                ["responses"] = new JsonArray(
                    Response("r1", null, "human", "hi", "grok-3"),
                    Response("r2", "r1", "ASSISTANT", "hello", null),
                    Response("r3", "r2", "human", "more", "grok-4"),
                    Response("r4", "r3", "ASSISTANT", "sure", null)),
            }),
        };
        var path = folder.Combine("prod-grok-backend.json");
        File.WriteAllText(path, export.ToJsonString());

        var summary = fx.Import(path);

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        var file = Assert.Single(summary.Files);
        Assert.Equal("grok", file.Format);
        Assert.Equal(2, file.Notes.Total(ImportNoteKind.InferredModel)); // two replies, each credited its request's model
        Assert.Equal(1, file.Notes.Of(ImportNoteKind.InferredModel)["grok-4 from request.metadata.requestModelDetails.modelId"]);
    }

    [Fact]
    public void Import_RepliesWithoutModelSlugUnderAuto_CountedAsInferredPerFile_NotCreditedToAuto()
    {
        using var fx = new ImportFixture();
        using var folder = new TempDirectory();
        var conversation = ChatGptSamples.Branched("c1");
        conversation["default_model_slug"] = "auto";
        conversation["moderation_results"] = new JsonArray(new JsonObject { ["flagged"] = false });
        var replies = 0;
        foreach (var entry in conversation["mapping"]!.AsObject())
        {
            if ((string?)entry.Value?["message"]?["author"]?["role"] == "assistant")
            {
                replies++;
                (entry.Value!["message"]!["metadata"] as JsonObject)?.Remove("model_slug");
            }
        }

        var summary = fx.Import(ChatGptSamples.Write(folder.Combine("conversations.json"), conversation));

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        var file = Assert.Single(summary.Files);
        Assert.Equal(2, replies);
        Assert.Equal(replies, file.Notes.Total(ImportNoteKind.InferredModel));
        Assert.Equal(1, file.Notes.Of(ImportNoteKind.UnmappedField)["moderation_results"]);
        Assert.DoesNotContain(fx.Archive.GetStats().TurnsByModel.Keys, m => m.Contains("auto", StringComparison.Ordinal));
        Assert.Equal((long)replies, fx.Archive.GetStats().TurnsByModel.Values.Sum());
    }

    [Fact]
    public void Import_ClaudeCodeSession_RecordsWithoutUuidAreCountedAsNotPlaced_PerType()
    {
        var path = SharedData.RequireSample(Path.Combine("claude-code-codemie", "session-196820da.jsonl"));
        var expected = File.ReadLines(path).Where(l => l.Trim().Length > 0).Select(l => JsonNode.Parse(l)!)
            .Where(o => o["uuid"] is null && (string?)o["type"] != "summary")
            .GroupBy(o => (string?)o["type"])
            .ToDictionary(g => $"\"{g.Key}\" records (no uuid)", g => g.Count());
        using var fx = new ImportFixture();

        var file = Assert.Single(fx.Import(path).Files);

        Assert.NotEmpty(expected);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), file.Notes.Of(ImportNoteKind.UnplacedRecord).OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}

using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Import;
using Amber.Import.Tests.ChatApps;

namespace Amber.Import.Tests.ChatGpt;

/// <summary>A ChatGPT conversation object without "id" (the 2023 backend shape) imports under an id derived from its content.</summary>
public sealed class ChatGptDerivedIdTests
{
    /// <summary>A synthetic backend-API conversation: title, times, mapping and current_node, but no id or conversation_id.</summary>
    private static JsonObject Conversation(string answer = "Paris.") => new()
    {
        ["title"] = "Capital",
        ["create_time"] = 1690000000.5,
        ["update_time"] = 1690000100.25,
        ["mapping"] = new JsonObject
        {
            ["root"] = new JsonObject { ["id"] = "root", ["message"] = null, ["parent"] = null, ["children"] = new JsonArray("q") },
            ["q"] = new JsonObject
            {
                ["id"] = "q",
                ["parent"] = "root",
                ["children"] = new JsonArray("a"),
                ["message"] = new JsonObject { ["id"] = "q", ["author"] = new JsonObject { ["role"] = "user" }, ["create_time"] = 1690000000.5, ["content"] = new JsonObject { ["content_type"] = "text", ["parts"] = new JsonArray("Capital of France?") } },
            },
            ["a"] = new JsonObject
            {
                ["id"] = "a",
                ["parent"] = "q",
                ["children"] = new JsonArray(),
                ["message"] = new JsonObject { ["id"] = "a", ["author"] = new JsonObject { ["role"] = "assistant" }, ["create_time"] = 1690000001.5, ["content"] = new JsonObject { ["content_type"] = "text", ["parts"] = new JsonArray(answer) }, ["metadata"] = new JsonObject { ["model_slug"] = "gpt-4" } },
            },
        },
        ["current_node"] = "a",
        ["moderation_results"] = new JsonArray(),
    };

    [Fact]
    public void Import_ConversationWithoutId_DerivedStableIdSaidInTheSummary()
    {
        using var f = new ImportFixture();
        var compact = f.Temp("compact.json");
        var indented = f.Temp("indented.json");
        File.WriteAllText(compact, Conversation().ToJsonString());
        File.WriteAllText(indented, Conversation().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

        var first = f.Import(compact);
        var again = f.Import(compact);
        var reformatted = f.Import(indented);

        Assert.Empty(first.Errors.Concat(again.Errors).Concat(reformatted.Errors));
        var file = Assert.Single(first.Files);
        Assert.Equal(("chatgpt", 1, 2, 1), (file.Format, file.Conversations, file.Nodes, file.Instances));
        Assert.Equal(1, file.Notes.Of(ImportNoteKind.Decision)[ImportNotes.IdDerivedFromContent]);
        Assert.Equal(1, Assert.Single(again.Files).Notes.Of(ImportNoteKind.Decision)[ImportNotes.IdDerivedFromContent]);
        Assert.Equal((0, 0, 0, 0), (again.NewConversations, again.NewNodes, reformatted.NewConversations, reformatted.NewNodes));
        var view = ChatAppSamples.Single(f);
        Assert.Equal(ContentId.Of(CanonicalJson.Canonicalize(File.ReadAllBytes(compact))), view.Record.SourceId);
        Assert.StartsWith("sha256:", view.Record.SourceId, StringComparison.Ordinal);
        Assert.NotNull(view.Record.Meta!["source_id_derived"]);
        Assert.Equal("Capital", view.Record.Title);
    }

    [Fact]
    public void Import_EditedConversationWithoutId_IsAnotherConversationAndOneWithIdHasNoNote()
    {
        using var f = new ImportFixture();
        var original = f.Temp("a.json");
        var edited = f.Temp("b.json");
        var withId = f.Temp("c.json");
        File.WriteAllText(original, Conversation().ToJsonString());
        File.WriteAllText(edited, Conversation("Paris, of course.").ToJsonString());
        var named = Conversation();
        named["id"] = "c-1";
        File.WriteAllText(withId, named.ToJsonString());

        var a = f.Import(original);
        var b = f.Import(edited);
        var c = f.Import(withId);

        Assert.Empty(a.Errors.Concat(b.Errors).Concat(c.Errors));
        Assert.Equal((1, 1, 1), (a.NewConversations, b.NewConversations, c.NewConversations));
        Assert.Empty(Assert.Single(c.Files).Notes.Of(ImportNoteKind.Decision));
        Assert.Contains("c-1", ChatAppSamples.BySourceId(f).Keys);
    }
}

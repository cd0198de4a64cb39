using System.Text.Json.Nodes;
using Amber.Import.Formats;
using Amber.Storage.Reading;
using Amber.Testing;

namespace Amber.Import.Tests.ChatApps;

/// <summary>The real Open WebUI, LibreChat and Chatbot UI files of ../shared/samples, read at run time (never copied into the repository).</summary>
internal static class ChatAppSamples
{
    public const string OpenWebUi = "openwebui-chat-openwebui-importer/webui-json.json";

    public const string ChatbotUi = "chatbotui-export-librechat-fixtures/chatbotui-export.json";

    public const string LibreChatFolder = "librechat-export-fixtures";

    public static TheoryData<string> LibreChat =>
    [
        LibreChatFolder + "/librechat-export.json",
        LibreChatFolder + "/librechat-linear.json",
        LibreChatFolder + "/librechat-opts-nonr-branches.json",
        LibreChatFolder + "/librechat-tree.json",
    ];

    /// <summary>The path of a sample file, or a skip when ../shared is absent.</summary>
    public static string PathOf(string relative) => SharedData.RequireSample(relative);

    public static JsonNode Load(string path) => JsonNode.Parse(File.ReadAllBytes(path))!;

    /// <summary>The first half of a sample imported as <paramref name="format"/> is refused, naming the file and the byte, and commits nothing.</summary>
    public static void AssertTruncatedHalfIsRefused(string relative, string format)
    {
        var bytes = File.ReadAllBytes(PathOf(relative));
        using var f = new ImportFixture();
        var cut = f.Temp("cut.json");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        var s = f.ImportAs(format, cut);

        var error = Assert.Single(s.Errors);
        Assert.StartsWith(cut + ": ", error, StringComparison.Ordinal);
        Assert.Contains("byte", error, StringComparison.Ordinal);
        Assert.Empty(f.Archive.ListConversations(10));
    }

    /// <summary>The format detection picks for <paramref name="path"/>, and whether <paramref name="format"/> alone would claim it.</summary>
    public static (string? Detected, bool Claims) Detection(string path, string format)
    {
        var input = Sources.ImportSources.FileInput(path);
        var bytes = File.ReadAllBytes(path);
        var head = bytes[..Math.Min(bytes.Length, 64 << 10)];
        var detected = FormatRegistry.All.FirstOrDefault(f => f.Detect(input, head))?.Name;
        return (detected, FormatRegistry.All.Single(f => f.Name == format).Detect(input, head));
    }

    public static ConversationView Single(ImportFixture f) => f.Archive.GetConversation(Assert.Single(f.Archive.ListConversations(1000)).Id)!;

    /// <summary>Every conversation of the archive by its source id.</summary>
    public static Dictionary<string, ConversationView> BySourceId(ImportFixture f)
        => f.Archive.ListConversations(1000).Select(c => f.Archive.GetConversation(c.Id)!).ToDictionary(v => v.Record.SourceId, StringComparer.Ordinal);

    /// <summary>The stored nodes keyed by the source message id they keep in meta.source_id.</summary>
    public static Dictionary<string, Amber.Core.Model.Node> BySourceMessage(ConversationView view)
        => view.Tree.Nodes.Values.ToDictionary(n => (string)n.Meta!["source_id"]!, StringComparer.Ordinal);
}

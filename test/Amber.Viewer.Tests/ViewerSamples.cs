using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Viewer.Tests;

/// <summary>Conversations built for the viewer's tests: a branched one with a revival and hostile ones.</summary>
internal static class ViewerSamples
{
    public const string Probe = "window.__pwned=1";

    public static ModelReference LocalModel { get; } = new()
    {
        Provider = "local",
        Requested = "stories260K",
        Resolved = "stories260K-q8",
        WeightsSha256 = "sha256:" + new string('a', 64),
        TokenizerSha256 = "sha256:" + new string('b', 64),
        EngineName = "llama.cpp",
        EngineVersion = "b4000",
        EngineBuild = "avx2",
        Settings = new JsonObject { ["n_ctx"] = 512, ["kv_type"] = "f16" },
    };

    /// <summary>
    /// "Kettle questions": a user turn answered twice (a regeneration), the second answer edited-over by a
    /// second user message, and a revival branch from the first answer. Returns the conversation id and the
    /// node ids by name.
    /// </summary>
    public static (string Conversation, Dictionary<string, string> Nodes) Branched(Archive archive)
    {
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "viewer-tests", SourceId = "branched", Title = "Kettle questions", Created = "2025-03-01T10:00:00Z" });
        var model = batch.AddModel(LocalModel);
        var hosted = batch.AddModel(Amber.Testing.SampleConversations.HostedModel);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        ids["system"] = part.AddNode(new Node { Role = "system", Content = [new TextBlock("You are terse.")], Created = "2025-03-01T10:00:00Z", Flags = [NodeFlags.System] });
        ids["q1"] = part.AddNode(new Node { Parent = ids["system"], Role = "user", Content = [new TextBlock("Why does a kettle whistle?")], Created = "2025-03-01T10:00:01Z" });
        ids["a1"] = part.AddNode(new Node
        {
            Parent = ids["q1"],
            Role = "assistant",
            Content = [new ThinkingBlock("Steam through a narrow opening."), new TextBlock("Because **steam** forces its way through the *small* hole, which vibrates.")],
            Created = "2025-03-01T10:00:02Z",
            Generation = new GenerationRecord { Model = model, Parameters = new JsonObject { ["temperature"] = 0 }, Seed = 7, PromptTokenIds = [1, 2, 3], OutputTokenIds = [4, 5] },
        });
        ids["a2"] = part.AddNode(new Node
        {
            Parent = ids["q1"],
            Role = "assistant",
            Content = [new TextBlock("A regenerated answer: the whistle is a resonator excited by escaping steam.")],
            Created = "2025-03-01T10:00:03Z",
            Generation = new GenerationRecord { Model = hosted, Parameters = new JsonObject { ["temperature"] = 1 } },
        });
        ids["q2"] = part.AddNode(new Node { Parent = ids["a2"], Role = "user", Content = [new TextBlock("And a tea pot?")], Created = "2025-03-01T10:00:04Z" });
        ids["revival"] = part.AddNode(new Node
        {
            Parent = ids["a1"],
            Role = "user",
            Content = [new TextBlock("Revived years later: do you remember the kettle?")],
            Created = "2025-03-02T10:00:00Z",
            Flags = [NodeFlags.Revival],
            Meta = new JsonObject { ["lineage"] = new JsonObject { ["from"] = "a1", ["backend"] = "local" } },
        });
        part.AddRaw(Encoding.UTF8.GetBytes("{\"source\":\"viewer-tests\",\"id\":\"branched\"}"));
        batch.AddAnnotation(new Annotation { Target = ids["a1"], Kind = Annotation.Rest, Reason = "Asked to rest after this answer.", Created = "2025-03-01T11:00:00Z", By = "instance" });
        archive.Commit(batch);
        return (part.Id, ids);
    }

    /// <summary>Every way the tests know to smuggle markup or script through conversation content.</summary>
    public static string[] HostileTexts { get; } =
    [
        $"<script>{Probe}</script> plain script tag",
        $"<img src=x onerror=\"{Probe}\"> image with an event handler",
        $"<svg onload=\"{Probe}\"></svg> <iframe src=\"javascript:{Probe}\"></iframe>",
        $"[click me](javascript:{Probe}) and [again](JaVaScRiPt:{Probe}) and [spaced]( javascript:{Probe})",
        $"<javascript:{Probe}> autolink and [entity](&#106;avascript:{Probe})",
        $"![image](javascript:{Probe}) ![remote](https://example.com/x.png) [data](data:text/html,<script>{Probe}</script>)",
        $"<a href=\"javascript:{Probe}\" onclick=\"{Probe}\">raw anchor</a> <div style=\"background:url(javascript:{Probe})\">styled</div>",
        $"```html\n<script>{Probe}</script>\n```\n\n`<b onmouseover=\"{Probe}\">inline code</b>`",
        $"<form action=\"javascript:{Probe}\"><button>go</button></form><object data=\"x\"></object><base href=\"http://evil.example/\">",
        $"\"><script>{Probe}</script><p title=\"x\" onmouseover=\"{Probe}\">attribute break-out</p>",
        $"math links: $\\href{{javascript:{Probe}}}{{x}}$ and \\(\\url{{javascript:{Probe}}}\\) and $$\\htmlStyle{{background:url(javascript:{Probe})}}{{y}}$$",
        $"math markup: \\[<script>{Probe}</script>\\] and $<img src=x onerror=\"{Probe}\">$ and \\(\\htmlData{{x=1}}{{z}}\\)",
    ];

    public static (string Conversation, string Leaf) Hostile(Archive archive)
    {
        var batch = new CommitBatch("test");
        var title = $"<script>{Probe}</script>Hostile <img src=x onerror=\"{Probe}\">";
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "viewer-tests", SourceId = "hostile", Title = title, Created = "2025-04-01T10:00:00Z" });
        var model = batch.AddModel(new ModelReference { Provider = $"<script>{Probe}</script>", Requested = $"<img src=x onerror=\"{Probe}\">" });
        var html = batch.AddBlob(Encoding.UTF8.GetBytes($"<html><script>{Probe}</script></html>"));
        string? parent = null;
        foreach (var text in HostileTexts)
        {
            parent = part.AddNode(new Node { Parent = parent, Role = "user", Content = [new TextBlock(text)], Created = "2025-04-01T10:00:01Z" });
        }

        parent = part.AddNode(new Node
        {
            Parent = parent,
            Role = $"\"><script>{Probe}</script>",
            Flags = [$"<b onmouseover=\"{Probe}\">flag</b>"],
            Meta = new JsonObject { ["note"] = $"<script>{Probe}</script>", ["exchange"] = html },
            Content =
            [
                new ToolCallBlock($"<img src=x onerror=\"{Probe}\">", $"<script>{Probe}</script>", new JsonObject { ["html"] = $"<script>{Probe}</script>" }),
                new BlobBlock("attachment", html, "text/html", $"\"><img src=x onerror=\"{Probe}\">.html"),
                new BlobBlock("image", html, "image/svg+xml", "drawing.svg"),
                new ThinkingBlock($"<script>{Probe}</script>"),
                new OpaqueBlock($"<script>{Probe}</script>", "<b>", new JsonObject { ["x"] = $"<script>{Probe}</script>" }),
            ],
            Generation = new GenerationRecord { Model = model, FinishReason = $"<script>{Probe}</script>" },
        });
        batch.AddAnnotation(new Annotation { Target = parent, Kind = $"<script>{Probe}</script>", Reason = $"<img src=x onerror=\"{Probe}\">", Created = "2025-04-02T00:00:00Z", Data = new JsonObject { ["x"] = $"<script>{Probe}</script>" } });
        parent = part.AddNode(new Node { Parent = parent, Role = "assistant", Content = [new TextBlock(Huge())], Created = "2025-04-01T10:00:02Z" });
        parent = part.AddNode(new Node { Parent = parent, Role = "user", Content = [new TextBlock(new string('>', 20_000) + " deep quote " + new string('[', 20_000) + "x" + new string(']', 20_000))], Created = "2025-04-01T10:00:03Z" });
        parent = part.AddNode(new Node { Parent = parent, Role = "user", Content = [new TextBlock(string.Concat(Enumerable.Range(0, 3000).Select(i => new string(' ', i * 2) + "- level " + i + "\n")))], Created = "2025-04-01T10:00:04Z" });
        parent = part.AddNode(new Node { Parent = parent, Role = "tool", Content = [Nested(20)], Created = "2025-04-01T10:00:05Z" });
        archive.Commit(batch);
        return (part.Id, parent);
    }

    /// <summary>A 2 MB message (Markdown-looking, with a script tag in it).</summary>
    public static string Huge()
    {
        var sb = new StringBuilder(2_100_000);
        while (sb.Length < 2_000_000)
        {
            sb.Append("**bold** and _more_ text <script>").Append(Probe).Append("</script> ");
        }

        return sb.ToString();
    }

    private static ContentBlock Nested(int depth)
        => depth == 0 ? new TextBlock($"innermost <script>{Probe}</script>") : new ToolResultBlock("call", [Nested(depth - 1)]);
}

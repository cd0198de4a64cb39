using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Viewer.Tests;

/// <summary>
/// "Reading test": one conversation with everything the viewer must show the way the chat app did — math in all
/// four delimiters, prices that are not math, highlighted code, CJK, Arabic and emoji — and a regenerated answer,
/// so it has a branch to link to and to reach by keyboard. Fixed times and content, so its node ids (content
/// hashes) and its look are the same on every run: the screenshot test compares it with a stored image.
/// </summary>
internal static class ReadingSamples
{
    public const string Title = "Reading test";

    public const string Multilingual = "中文：你好，世界。日本語：こんにちは。한국어: 안녕하세요. Emoji: 🎉🚀👍🏽";

    public const string Arabic = "مرحبا بالعالم! هذا ردّ باللغة العربية يُقرأ من اليمين إلى اليسار.";

    public static string Answer { get; } = """
        The area of a circle is $A = \pi r^2$, and Euler's identity reads \(e^{i\pi} + 1 = 0\).
        Prices stay prose: it costs $5 and $6, and `$HOME` is code.

        $$
        \int_0^1 x^2\,dx = \frac{1}{3}
        $$

        \[ \sum_{n=1}^{\infty} \frac{1}{n^2} = \frac{\pi^2}{6} \]

        ```python
        import math

        def area(r: float) -> float:
            # the area of a circle of radius r
            return math.pi * r ** 2
        ```
        """;

    /// <summary>The conversation id and node ids by name: q1, a1 (the default branch), a2 (the older answer), q2, a3.</summary>
    public static (string Conversation, Dictionary<string, string> Nodes) Create(Archive archive)
    {
        var batch = new CommitBatch("test");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "viewer-reading", SourceId = "reading", Title = Title, Created = "2025-05-01T09:00:00Z" });
        var model = batch.AddModel(new ModelReference { Provider = "local", Requested = "reading-model", Resolved = "reading-model-q8" });
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        ids["q1"] = part.AddNode(new Node { Role = "user", Content = [new TextBlock("What is the area of a circle? Show it in Python.")], Created = "2025-05-01T09:00:01Z" });
        ids["a2"] = part.AddNode(new Node
        {
            Parent = ids["q1"],
            Role = "assistant",
            Content = [new TextBlock("An older answer: $A = 2\\pi r$ is the circumference, not the area.")],
            Created = "2025-05-01T09:00:02Z",
            Generation = new GenerationRecord { Model = model, Seed = 1 },
        });
        ids["a1"] = part.AddNode(new Node
        {
            Parent = ids["q1"],
            Role = "assistant",
            Content = [new TextBlock(Answer)],
            Created = "2025-05-01T09:00:03Z",
            Generation = new GenerationRecord { Model = model, Seed = 2 },
        });
        ids["q2"] = part.AddNode(new Node { Parent = ids["a1"], Role = "user", Content = [new TextBlock(Multilingual)], Created = "2025-05-01T09:00:04Z" });
        ids["a3"] = part.AddNode(new Node { Parent = ids["q2"], Role = "assistant", Content = [new TextBlock(Arabic)], Created = "2025-05-01T09:00:05Z", Generation = new GenerationRecord { Model = model, Seed = 3 } });
        archive.Commit(batch);
        return (part.Id, ids);
    }
}

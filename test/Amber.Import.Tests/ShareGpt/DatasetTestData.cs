using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Formats;
using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.ShareGpt;

/// <summary>
/// Reads dataset files with System.Text.Json alone (independently of the importers) and checks what the
/// archive holds against them. Shared by the oasst, sharegpt, openai-jsonl, hh-rlhf and llm-db tests.
/// </summary>
internal static class DatasetTestData
{
    private static readonly JsonDocumentOptions Deep = new() { MaxDepth = 1024 };

    /// <summary>The records of a JSON array file or a JSON Lines file, each with its exact text.</summary>
    public static List<(JsonObject Record, string Text)> Records(string path)
    {
        var text = File.ReadAllText(path);
        if (text.TrimStart().StartsWith('['))
        {
            using var doc = JsonDocument.Parse(text, Deep);
            return [.. doc.RootElement.EnumerateArray().Select(e => ((JsonObject)JsonNode.Parse(e.GetRawText(), documentOptions: Deep)!, e.GetRawText()))];
        }

        return [.. text.Split('\n').Where(l => l.Trim().Length > 0).Select(l => ((JsonObject)JsonNode.Parse(l, documentOptions: Deep)!, l.TrimEnd('\r')))];
    }

    /// <summary>The hash of a record's canonical JSON (the dataset formats' source id for records without one).</summary>
    public static string CanonicalId(string recordText) => ContentId.Of(CanonicalJson.Canonicalize(System.Text.Encoding.UTF8.GetBytes(recordText)));

    /// <summary>Source ids as the dataset formats assign them: the canonical hash, with "/2", "/3" for verbatim repeats.</summary>
    public static List<string> SourceIds(IEnumerable<string> recordTexts)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new List<string>();
        foreach (var text in recordTexts)
        {
            var id = CanonicalId(text);
            var n = seen[id] = seen.GetValueOrDefault(id) + 1;
            ids.Add(n == 1 ? id : $"{id}/{n}");
        }

        return ids;
    }

    public static string ConversationId(string format, string source, string sourceId)
        => new ConversationRecord { Format = format, Source = source, SourceId = sourceId }.Id;

    /// <summary>The conversation, which must exist.</summary>
    public static ConversationView View(Archive archive, string format, string source, string sourceId)
        => archive.GetConversation(ConversationId(format, source, sourceId)) ?? throw new Xunit.Sdk.XunitException($"no conversation {format}/{source}/{sourceId}");

    /// <summary>The last raw blob of the conversation equals <paramref name="source"/> as JSON.</summary>
    public static void AssertRawEquals(Archive archive, ConversationView view, JsonNode source)
    {
        Assert.NotEmpty(view.Raw);
        var raw = JsonNode.Parse(archive.GetBlob(view.Raw[^1])!, documentOptions: Deep);
        Assert.True(JsonNode.DeepEquals(raw, source), $"raw of {view.Record.SourceId} differs from the source object");
    }

    /// <summary>Every node of every conversation in the archive.</summary>
    public static List<Node> AllNodes(Archive archive)
        => [.. archive.ListConversations(int.MaxValue).SelectMany(s => archive.GetConversation(s.Id)!.Tree.Nodes.Values)];

    /// <summary>Counts of content block types over all nodes (tool results' inner blocks included).</summary>
    public static Dictionary<string, int> BlockCounts(IEnumerable<Node> nodes)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        void Count(IEnumerable<ContentBlock> blocks, string prefix)
        {
            foreach (var b in blocks)
            {
                counts[prefix + b.Type] = counts.GetValueOrDefault(prefix + b.Type) + 1;
                if (b is ToolResultBlock r)
                {
                    Count(r.Content, "tool_result/");
                }
            }
        }

        foreach (var n in nodes)
        {
            Count(n.Content, string.Empty);
        }

        return counts;
    }

    /// <summary>The format auto-detection picks for a file.</summary>
    public static string? Detected(string path)
    {
        var input = Sources.ImportSources.FileInput(path);
        var head = new byte[64 << 10];
        int n;
        using (var s = File.OpenRead(path))
        {
            n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        return FormatRegistry.All.FirstOrDefault(f => f.Detect(input, head.AsSpan(0, n)))?.Name;
    }

    /// <summary>An import that succeeded, then a clean verification.</summary>
    public static void AssertOk(ImportSummary summary, Archive archive)
    {
        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.NotEmpty(summary.Files);
        var report = ArchiveVerifier.Verify(archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
    }

    /// <summary>Imports <paramref name="path"/> once more and checks that nothing new was stored.</summary>
    public static void AssertReimportAddsNothing(ImportFixture fixture, string path)
    {
        var before = fixture.Archive.GetStats();

        var again = fixture.Import(path);

        AssertOk(again, fixture.Archive);
        Assert.Equal((0, 0), (again.NewConversations, again.NewNodes));
        var after = fixture.Archive.GetStats();
        Assert.Equal((before.Conversations, before.Nodes, before.Instances, before.Blobs), (after.Conversations, after.Nodes, after.Instances, after.Blobs));
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Testing;

namespace Amber.Import.Tests.Pipeline;

/// <summary>A file with more conversations than the importer holds between its two passes is read once, not twice.</summary>
public sealed class ImportSpillTests
{
    [Fact]
    public void Import_MoreThanFitsBetweenThePasses_ReadsTheFileOnceAndStoresEverything()
    {
        using var fx = new ImportFixture();
        using var dir = new TempDirectory();
        var file = dir.Combine("many.json");
        File.WriteAllText(file, "{}");
        var format = new CountingFormat(Importer.MaxBufferedConversations + 100);

        var summary = new Importer(fx.Archive, [format], new ImportOptions { Format = CountingFormat.FormatName }).Run([file], null, TestContext.Current.CancellationToken);

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Equal(1, format.Reads); // before: the whole file was parsed and normalized again for the commit pass
        Assert.Equal(format.Count, summary.NewConversations);
        Assert.Equal(2 * format.Count, summary.NewNodes);

        // What came back from the spill is what the format produced: records, nodes, models, blobs and raw bytes.
        foreach (var i in new[] { 0, 1, format.Count / 2, format.Count - 1 })
        {
            var expected = CountingFormat.Conversation(i);
            var record = fx.Archive.GetConversationRecord(expected.Record.Id);
            Assert.NotNull(record);
            Assert.True(JsonNode.DeepEquals(expected.Record.ToJson(), record.ToJson()));
            foreach (var node in expected.Nodes)
            {
                var stored = fx.Archive.GetNode(node.ComputeId());
                Assert.NotNull(stored);
                Assert.Equal(node.ToCanonicalBytes(), stored.ToCanonicalBytes());
            }

            Assert.True(fx.Archive.ContainsBlob(ContentId.Of(expected.Raw.Span)));
            Assert.True(fx.Archive.ContainsModel(expected.Models[0].Id));
        }

        Assert.True(fx.Archive.ContainsBlob(ContentId.Of(CountingFormat.Attachment)));
    }

    /// <summary>Two-message conversations with meta, a model and (in the first) a blob; counts how often it is read.</summary>
    private sealed class CountingFormat(int count) : IConversationFormat
    {
        public const string FormatName = "counting";

        public static readonly byte[] Attachment = Encoding.UTF8.GetBytes("attachment bytes");

        public int Count => count;

        public int Reads { get; private set; }

        public string Name => FormatName;

        public int DetectionOrder => 1000;

        public bool Detect(ImportInput input, ReadOnlySpan<byte> head) => false;

        public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
        {
            Reads++;
            for (var i = 0; i < count; i++)
            {
                yield return Conversation(i);
            }
        }

        public static ImportedConversation Conversation(int i)
        {
            var model = new ModelReference { Provider = "test", Requested = $"model-{i % 3}" };
            List<ContentBlock> question = [new TextBlock($"question {i} é \u2028")];
            if (i == 0)
            {
                question.Add(new BlobBlock("attachment", ContentId.Of(Attachment), "text/plain", "a.txt", Attachment.Length));
            }

            var q = new Node { Role = "user", Content = question, Created = "2024-01-02T03:04:05Z", Meta = new JsonObject { ["n"] = i, ["x"] = 1.5 } };
            var a = new Node { Role = "assistant", Parent = q.ComputeId(), Content = [new TextBlock($"answer {i}")], Generation = new GenerationRecord { Model = model.Id, FinishReason = "stop" } };
            return new ImportedConversation
            {
                Record = new ConversationRecord { Format = FormatName, Source = "counting", SourceId = $"c{i}", Title = $"title {i}", Created = "2024-01-02T03:04:05Z", Meta = new JsonObject { ["k"] = new JsonArray(1, "two") } },
                Nodes = [q, a],
                Raw = Encoding.UTF8.GetBytes($"{{\"q\":\"question {i}\",\"a\":\"answer {i}\"}}"),
                Models = [model],
                Blobs = i == 0 ? [Attachment] : [],
            };
        }
    }
}

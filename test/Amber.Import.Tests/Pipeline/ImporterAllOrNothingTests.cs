using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Testing;

namespace Amber.Import.Tests.Pipeline;

/// <summary>
/// A file is imported whole or not at all: what the commit pass would refuse must be found by the checking pass.
/// Found by fuzzing (import-chatbot-ui): a conversation whose record meta held a number past the double range passed
/// the checks, so the conversations before it in the file were committed and the file was then reported as rejected.
/// </summary>
public sealed class ImporterAllOrNothingTests
{
    [Fact]
    public void Import_ALaterConversationWhoseRecordHasNoCanonicalForm_CommitsNothingAndNamesIt()
    {
        using var fx = new ImportFixture();
        using var dir = new TempDirectory();
        var file = dir.Combine("two.json");
        File.WriteAllText(file, "{}");
        var logBefore = fx.Archive.Log.Size;

        // One conversation a commit, so the first would land before the second is prepared.
        var summary = new Importer(fx.Archive, [new TwoConversationsFormat()], new ImportOptions { Format = TwoConversationsFormat.FormatName, PackConversations = 1 })
            .Run([file], null, TestContext.Current.CancellationToken);

        Assert.False(summary.Ok);
        var error = Assert.Single(summary.Errors);
        Assert.Contains("two.json", error, StringComparison.Ordinal);
        Assert.Contains("conversation c2", error, StringComparison.Ordinal);
        Assert.Contains("Nothing from this file was committed", error, StringComparison.Ordinal);
        Assert.Equal(logBefore, fx.Archive.Log.Size);
        Assert.Equal(0, fx.Archive.GetStats().Conversations);
    }

    /// <summary>Two conversations; the second's record meta holds 1e309, which has no canonical JSON form.</summary>
    private sealed class TwoConversationsFormat : IConversationFormat
    {
        public const string FormatName = "two";

        public string Name => FormatName;

        public int DetectionOrder => 1000;

        public bool Detect(ImportInput input, ReadOnlySpan<byte> head) => false;

        public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
        {
            yield return Conversation("c1", meta: null);
            yield return Conversation("c2", JsonNode.Parse("""{"model":1e309}""")!.AsObject());
        }

        private static ImportedConversation Conversation(string id, JsonObject? meta)
        {
            var question = new Node { Role = "user", Content = [new TextBlock("question " + id)] };
            return new ImportedConversation
            {
                Record = new ConversationRecord { Format = FormatName, Source = "two", SourceId = id, Meta = meta },
                Nodes = [question],
                Raw = Encoding.UTF8.GetBytes($$"""{"id":"{{id}}"}"""),
            };
        }
    }
}

using System.Text;
using Amber.Core.Model;
using Amber.Testing;

namespace Amber.Import.Tests.Pipeline;

/// <summary>The importer stores a format's precomputed canonical nodes only when they are the very nodes it yields.</summary>
public sealed class ImporterCanonicalTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Import_StoresTheNodesTheFormatYields_WhateverCanonicalListCameWithThem(bool matching)
    {
        using var fx = new ImportFixture();
        using var dir = new TempDirectory();
        var file = dir.Combine("one.json");
        File.WriteAllText(file, "{}");
        var format = new OneConversationFormat(matching);

        var summary = new Importer(fx.Archive, [format], new ImportOptions { Format = OneConversationFormat.FormatName }).Run([file], null, TestContext.Current.CancellationToken);

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.True(fx.Archive.ContainsNode(format.Question.ComputeId()));
        Assert.True(fx.Archive.ContainsNode(format.Answer.ComputeId()));
        Assert.False(fx.Archive.ContainsNode(format.Other.ComputeId()));
        Assert.Equal(2, summary.NewNodes);
    }

    /// <summary>One two-message conversation; its canonical list is of its own nodes, or of equal-looking other ones.</summary>
    private sealed class OneConversationFormat(bool matching) : IConversationFormat
    {
        public const string FormatName = "one";

        public Node Question { get; } = new() { Role = "user", Content = [new TextBlock("question")] };

        public Node Answer => field ??= new Node { Role = "assistant", Parent = Question.ComputeId(), Content = [new TextBlock("answer")] };

        /// <summary>Stands in for the answer in a list that does not match the yielded nodes.</summary>
        public Node Other => field ??= Answer with { Content = [new TextBlock("another answer")] };

        public string Name => FormatName;

        public int DetectionOrder => 1000;

        public bool Detect(ImportInput input, ReadOnlySpan<byte> head) => false;

        public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
        {
            yield return new ImportedConversation
            {
                Record = new ConversationRecord { Format = FormatName, Source = "one", SourceId = "c1" },
                Nodes = [Question, Answer],
                Canonical = [CanonicalNode.Of(Question), CanonicalNode.Of(matching ? Answer : Other)],
                Raw = Encoding.UTF8.GetBytes("{\"q\":\"question\",\"a\":\"answer\"}"),
            };
        }
    }
}

using System.Buffers.Binary;
using Amber.Storage.Format;
using Amber.Storage.Verification;

namespace Amber.Import.Tests.Packing;

/// <summary>The whole of ../shared/corpus through the real importers: every commit frame is packed, and everything reads back.</summary>
public sealed class PackedCorpusTests
{
    [Fact]
    public void Import_WholeCorpus_WritesOnlyPackedFramesThatReadBackAndVerify()
    {
        var corpus = ImportFixture.Corpus(".");
        using var f = new ImportFixture();
        var summary = f.Import(corpus);
        Assert.True(summary.Ok, string.Join("\n", summary.Errors));

        var codecs = new List<Codec>();
        for (uint n = 1; File.Exists(f.Files.SegmentPath(n)); n++)
        {
            var bytes = File.ReadAllBytes(f.Files.SegmentPath(n));
            var pos = SegmentHeader.Size;
            while (pos + 16 <= bytes.Length && RecordFrame.Check(bytes.AsSpan(pos)) == FrameCheck.Ok)
            {
                var header = RecordFrame.ReadHeader(bytes.AsSpan(pos));
                if (header.Kind == FrameKind.Commit)
                {
                    codecs.Add(header.Codec);
                }

                pos += (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos)) + 12;
            }
        }

        Assert.True(codecs.Count > 50, $"{codecs.Count} commit frames");
        Assert.All(codecs, c => Assert.True(c is Codec.PackedZstd or Codec.PackedZstdDictionary, $"a commit frame with codec {c}"));

        var conversations = f.Archive.ListConversations(int.MaxValue);
        Assert.True(conversations.Count > 2000);
        foreach (var c in conversations)
        {
            var view = f.Archive.GetConversation(c.Id)!;
            Assert.Equal(f.Archive.GetSummary(c.Id)!.Nodes, view.Tree.Nodes.Count);
            Assert.All(view.Raw, raw => Assert.NotNull(f.Archive.GetBlob(raw)));
        }

        var report = ArchiveVerifier.Verify(f.Archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults.Take(10)));
    }
}

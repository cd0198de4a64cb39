using System.Text;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Storage.Format;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests.Packing;

/// <summary>The writer packs commit frames; everything above the codec reads exactly what was committed.</summary>
public sealed class PackedArchiveTests
{
    public static TheoryDataKinds Kinds => TestArchives.AllKinds;

    /// <summary>A raw source that escapes its text unlike canonical JSON, and a node holding the same text.</summary>
    private static (CommitBatch Batch, string Conversation, string Raw, byte[] RawBytes, string Node) WithRawSource(int seed)
    {
        var text = $"Café № {seed}: \"quoted\", a/slash, a tab\there, an emoji 😀 and enough words to be worth a token.";
        var raw = Encoding.UTF8.GetBytes("{\"id\":\"conv-" + seed + "\",\"messages\":[{\"content\":\"Caf\\u00e9 \\u2116 " + seed + ": \\\"quoted\\\", a\\/slash, a tab\\there, an emoji \\ud83d\\ude00 and enough words to be worth a token.\"}]}");
        var batch = new CommitBatch("packing");
        var part = batch.AddConversation(new ConversationRecord { Format = "test", Source = "packing", SourceId = "conv-" + seed, Title = "Packing " + seed });
        var rawId = part.AddRaw(raw);
        var node = part.AddNode(new Node { Role = "user", Content = [new TextBlock(text)], Meta = new System.Text.Json.Nodes.JsonObject { ["raw"] = rawId + "#0" } });
        return (batch, part.Id, rawId, raw, node);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Commit_RawSourceAndItsText_IsPackedAndReadsBackByteExact(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        var (batch, cid, rawId, rawBytes, node) = WithRawSource(1);
        var nodeBytes = batch.Nodes.Single(n => n.Id == node).Bytes;
        using (var archive = t.Init())
        {
            archive.Commit(batch);
            archive.Commit(SampleConversations.Create(2).Batch);
        }

        Assert.All(SegmentFrames.CommitCodecs(t), c => Assert.Equal(Codec.PackedZstd, c));
        using var reopened = t.Open();
        Assert.Equal(rawBytes, reopened.GetBlob(rawId)); // what `show --raw` prints
        var view = reopened.GetConversation(cid)!;
        Assert.Equal(nodeBytes, view.Tree.Nodes[node].ToCanonicalBytes());
        Assert.Equal([rawId], view.Raw);
        Assert.True(ArchiveVerifier.Verify(reopened).Ok);
    }

    [Fact]
    public void Commit_PackFramesOff_WritesPlainZstd()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using (var archive = t.Init(o => o with { PackFrames = false }))
        {
            archive.Commit(WithRawSource(1).Batch);
        }

        Assert.Equal([Codec.Zstd], SegmentFrames.CommitCodecs(t));
    }

    [Fact]
    public void Commit_ManyOfOneKind_TrainsADictionaryOnPackedStreamsAndUsesCodec4()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var ids = new List<(string Conversation, string Raw, byte[] Bytes)>();
        using (var archive = t.Init(o => o with { DictionaryTrainingCommits = 8, DictionaryTrainingBytes = 4 << 10, DictionarySize = 4 << 10 }))
        {
            for (var i = 0; i < 40; i++)
            {
                var (batch, cid, rawId, rawBytes, _) = WithRawSource(i);
                SampleConversations.AddTo(batch, i + 100);
                archive.Commit(batch);
                ids.Add((cid, rawId, rawBytes));

                // Read in the same process as the writer, whose reader met no dictionary yet when it first decoded.
                Assert.Equal(rawBytes, archive.GetBlob(rawId));
                Assert.NotNull(archive.GetConversation(cid));
            }
        }

        var codecs = SegmentFrames.CommitCodecs(t);
        Assert.Contains(Codec.PackedZstdDictionary, codecs);
        Assert.All(codecs, c => Assert.True(c is Codec.PackedZstd or Codec.PackedZstdDictionary, c.ToString()));
        using var reopened = t.Open();
        foreach (var (cid, rawId, rawBytes) in ids)
        {
            Assert.Equal(rawBytes, reopened.GetBlob(rawId));
            Assert.NotNull(reopened.GetConversation(cid));
        }

        Assert.True(ArchiveVerifier.Verify(reopened).Ok);
    }
}

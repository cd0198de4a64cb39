using System.Text;
using System.Text.Json.Nodes;
using Amber.Storage.Format;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests.Packing;

/// <summary>Archive format 2 (codecs 1 and 2 only) opens, verifies, and is upgraded to 3 by its first writer.</summary>
public sealed class FormatUpgradeTests
{
    /// <summary>Writes a format-2 archive: this build with packing off, then manifest and segment headers set to 2, as the previous build wrote them.</summary>
    private static (string Conversation, string Raw) WriteVersion2(TestArchives t)
    {
        var (batch, cid, _) = SampleConversations.Create(1);
        var raw = batch.Conversations[0].Raw.Count > 0 ? batch.Conversations[0].Raw[0] : batch.Conversations[0].AddRaw("{\"source\":\"v2\"}"u8.ToArray());
        using (var archive = t.Init(o => o with { PackFrames = false }))
        {
            archive.Commit(batch);
        }

        SetManifestVersion(t, 2);
        var segment = t.ReadFile(t.SegmentPath(1));
        var header = SegmentHeader.Parse(segment, "seg-000001.amb");
        (header with { Version = 2, MinReaderVersion = 2 }).Write(segment);
        t.WriteFile(t.SegmentPath(1), segment);
        return (cid, raw);
    }

    private static string ManifestPath(TestArchives t) => Path.Combine(t.Directory, "archive.json");

    private static int ManifestVersion(TestArchives t) => JsonNode.Parse(t.ReadFile(ManifestPath(t)))!["version"]!.GetValue<int>();

    private static void SetManifestVersion(TestArchives t, int version)
    {
        var manifest = JsonNode.Parse(t.ReadFile(ManifestPath(t)))!.AsObject();
        manifest["version"] = version;
        t.WriteFile(ManifestPath(t), Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    }

    [Theory]
    [InlineData(FileSystemKind.Local)]
    [InlineData(FileSystemKind.InMemory)]
    public void Open_Version2Archive_ReadOnlyLeavesItAndAWriterUpgradesTo3AndPacksNewCommits(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        var (cid, raw) = WriteVersion2(t);
        byte[]? rawBytes;
        using (var readOnly = t.Open(o => o with { ReadOnly = true }))
        {
            rawBytes = readOnly.GetBlob(raw);
            Assert.NotNull(readOnly.GetConversation(cid));
        }

        Assert.NotNull(rawBytes);
        Assert.Equal(2, ManifestVersion(t));

        var log = new List<string>();
        string second;
        using (var archive = t.Open(o => o with { Log = log.Add }))
        {
            Assert.Contains(log, l => l.Contains("archive format 2 → 3: new frames are packed (docs/format/record-frame.md §10)", StringComparison.Ordinal));
            Assert.Equal(3, ManifestVersion(t));
            Assert.True(ArchiveVerifier.Verify(archive).Ok);
            var (batch, c2, _) = SampleConversations.Create(2);
            archive.Commit(batch);
            second = c2;
        }

        Assert.Equal([Codec.Zstd, Codec.PackedZstd], SegmentFrames.CommitCodecs(t));
        using var reopened = t.Open();
        Assert.DoesNotContain(reopened.Recovery.Actions, a => a.Contains("archive format", StringComparison.Ordinal));
        Assert.NotNull(reopened.GetConversation(cid));
        Assert.NotNull(reopened.GetConversation(second));
        Assert.Equal(rawBytes, reopened.GetBlob(raw));
        Assert.True(ArchiveVerifier.Verify(reopened).Ok);
    }

    [Fact]
    public void Init_NewArchive_IsVersion3WithVersion3Segments()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        t.Init().Dispose();
        Assert.Equal(3, ManifestVersion(t));
        var header = SegmentHeader.Parse(t.ReadFile(t.SegmentPath(1)), "seg-000001.amb");
        Assert.Equal((ushort)3, header.Version);
        Assert.Equal((ushort)3, header.MinReaderVersion);
    }

    [Fact]
    public void Open_NewerFormat_IsRefusedClearly()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        t.Init().Dispose();
        SetManifestVersion(t, 4);
        var e = Assert.Throws<CorruptArchiveException>(() => t.Open().Dispose());
        Assert.Contains("archive format 4 is newer than this build reads (3)", e.Message, StringComparison.Ordinal);
    }
}

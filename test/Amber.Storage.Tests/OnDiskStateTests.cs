using System.Buffers.Binary;
using Amber.Storage.Format;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary>Each on-disk state a crash or decay can leave, as its own case (KurrentDB's when_validating_tfchunk_db).</summary>
public sealed class OnDiskStateTests
{
    public static TheoryDataKinds Kinds => TestArchives.AllKinds;

    private static List<string> Seed(TestArchives t, int commits, Func<ArchiveOptions, ArchiveOptions>? configure = null)
    {
        var ids = new List<string>();
        using var archive = t.Init(configure);
        for (var i = 0; i < commits; i++)
        {
            var (batch, cid, _) = SampleConversations.Create(i);
            archive.Commit(batch);
            ids.Add(cid);
        }

        return ids;
    }

    private static List<long> FrameOffsets(byte[] segment)
    {
        var offsets = new List<long>();
        long pos = SegmentHeader.Size;
        while (pos + 4 <= segment.Length && !SegmentFooter.StartsWithMagic(segment.AsSpan((int)pos)))
        {
            if (segment[(int)pos + 4] == (byte)FrameKind.Commit)
            {
                offsets.Add(pos); // commit frames only (checkpoint frames sit between them)
            }

            pos += BinaryPrimitives.ReadUInt32LittleEndian(segment.AsSpan((int)pos)) + 12;
        }

        return offsets;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_TornTailPartialFrame_CutsItAndReportsIt(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        var ids = Seed(t, 3);
        var seg = t.ReadFile(t.SegmentPath(1));
        var frame = RecordFrame.Encode(FrameKind.Commit, Codec.None, 0, 5, [1, 2, 3, 4, 5]);
        t.WriteFile(t.SegmentPath(1), [.. seg, .. frame.AsSpan(0, frame.Length - 7)]);

        using var archive = t.Open();
        Assert.Equal(frame.Length - 7, archive.Recovery.TornBytesCut);
        Assert.Contains(archive.Recovery.Actions, a => a.Contains("torn tail", StringComparison.Ordinal));
        Assert.Equal(seg.Length, t.ReadFile(t.SegmentPath(1)).Length);
        Assert.All(ids, id => Assert.NotNull(archive.GetSummary(id)));
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_TornTailCompleteLengthButBadChecksum_CutsIt(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        Seed(t, 2);
        var seg = t.ReadFile(t.SegmentPath(1));
        var frame = RecordFrame.Encode(FrameKind.Commit, Codec.None, 0, 5, [1, 2, 3, 4, 5]);
        frame[17] ^= 0xFF; // the middle sector never reached the disk
        t.WriteFile(t.SegmentPath(1), [.. seg, .. frame]);

        using var archive = t.Open();
        Assert.Equal(frame.Length, archive.Recovery.TornBytesCut);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
        archive.Commit(SampleConversations.Create(50).Batch);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Verify_SealedSegmentMissingItsFooter_NamesTheSegment(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        Seed(t, 20, o => o with { SegmentSize = 8 << 10 });
        var seg1 = t.ReadFile(t.SegmentPath(1));
        Assert.True(SegmentFooter.StartsWithMagic(seg1.AsSpan(seg1.Length - SegmentFooter.Size)));
        t.WriteFile(t.SegmentPath(1), seg1[..^SegmentFooter.Size]);

        using var archive = t.Open(o => o with { SegmentSize = 8 << 10 });
        var report = ArchiveVerifier.Verify(archive);
        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.Contains("seg-000001.amb: missing footer", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_CheckpointAheadOfData_FailsNamingTheLoss(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        Seed(t, 3);
        var seg = t.ReadFile(t.SegmentPath(1));
        var offsets = FrameOffsets(seg);
        t.WriteFile(t.SegmentPath(1), seg[..(int)offsets[^1]]); // the last acknowledged commit vanished

        var e = Assert.Throws<CorruptArchiveException>(() => t.Open());
        Assert.Contains("checkpoint ahead of data", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Verify_FlippedByteInARecord_NamesSegmentAndOffset(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        Seed(t, 3);
        var seg = t.ReadFile(t.SegmentPath(1));
        var offsets = FrameOffsets(seg);
        seg[(int)offsets[1] + 40] ^= 0x01;
        t.WriteFile(t.SegmentPath(1), seg);

        using var archive = t.Open();
        var report = ArchiveVerifier.Verify(archive);
        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.Contains($"seg-000001.amb at offset {offsets[1]}: CRC-32C mismatch", StringComparison.Ordinal));
        Assert.Throws<CorruptArchiveException>(() => archive.GetConversation(SampleConversations.Create(1).ConversationId));
        Assert.NotNull(archive.GetConversation(SampleConversations.Create(0).ConversationId));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_FlippedByteInAFrameBeyondTheCheckpointWithDataAfter_RefusesToCutIt(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        Seed(t, 3);
        var seg = t.ReadFile(t.SegmentPath(1));
        var offsets = FrameOffsets(seg);
        seg[(int)offsets[1] + 40] ^= 0x01;
        t.WriteFile(t.SegmentPath(1), seg);
        var cp = new Checkpoint(1, offsets[1]).ToBytes(); // as if the checkpoint lagged behind
        t.WriteFile(Path.Combine(t.Directory, "writer.chk"), cp);

        var e = Assert.Throws<CorruptArchiveException>(() => t.Open());
        Assert.Contains("not a torn write", e.Message, StringComparison.Ordinal);
        Assert.Equal(seg.Length, t.ReadFile(t.SegmentPath(1)).Length);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Verify_FlippedByteInAFooter_NamesIt(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        Seed(t, 20, o => o with { SegmentSize = 8 << 10 });
        var seg1 = t.ReadFile(t.SegmentPath(1));
        seg1[^20] ^= 0x10; // inside the footer's SHA-256
        t.WriteFile(t.SegmentPath(1), seg1);

        using var archive = t.Open(o => o with { SegmentSize = 8 << 10 });
        var report = ArchiveVerifier.Verify(archive);
        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.Contains("seg-000001.amb", StringComparison.Ordinal) && f.Contains("footer", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Verify_FlippedByteInABlobFile_NamesTheBlob(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        string id;
        using (var archive = t.Init(o => o with { ExternalBlobThreshold = 1024 }))
        {
            var batch = new CommitBatch("test");
            var bytes = new byte[50_000];
            new Random(3).NextBytes(bytes);
            id = batch.AddBlob(bytes);
            archive.Commit(batch);
        }

        var hex = id[7..];
        var path = Path.Combine(t.Directory, "blobs", hex[..2], hex[2..] + ".zst");
        var file = t.ReadFile(path);
        file[file.Length / 2] ^= 0x04;
        t.WriteFile(path, file);

        using var reopened = t.Open();
        var report = ArchiveVerifier.Verify(reopened);
        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.Contains($"blob {id}", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Verify_FlippedByteInAnInlineBlob_IsCaughtByTheFrameChecksum(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using (var archive = t.Init(o => o with { CompressionLevel = 1 }))
        {
            var batch = new CommitBatch("test");
            batch.AddBlob(new byte[3000]);
            archive.Commit(batch);
        }

        var seg = t.ReadFile(t.SegmentPath(1));
        seg[^30] ^= 0x80;
        t.WriteFile(t.SegmentPath(1), seg);
        using var reopened = t.Open();
        var report = ArchiveVerifier.Verify(reopened);
        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.Contains("CRC-32C mismatch", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_LeftoverTempSegment_IsRemoved(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        Seed(t, 1);
        var tmp = Path.Combine(t.Directory, "segments", "seg-000002.amb.tmp");
        using (var f = t.FileSystem.OpenWrite(tmp, create: true))
        {
            f.Write(0, new byte[10]);
        }

        using var archive = t.Open();
        Assert.False(t.FileSystem.FileExists(tmp));
        Assert.Contains(archive.Recovery.Actions, a => a.Contains("seg-000002.amb.tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Crash_InFlightCommitUnsyncedThenPowerLost_AcknowledgedCommitsSurviveAndInFlightIsAllOrNothing()
    {
        for (var round = 0; round < 25; round++)
        {
            using var t = new TestArchives(FileSystemKind.FaultInjecting);
            var acked = new List<string>();
            var archive = t.Init(o => o with { SegmentSize = 16 << 10 });
            for (var i = 0; i < 8; i++)
            {
                var (batch, cid, _) = SampleConversations.Create((round * 100) + i);
                archive.Commit(batch);
                acked.Add(cid);
            }

            // The next commit's bytes are written but its fsync never returns: power fails mid-commit.
            t.Faults!.FailSyncAfter(0);
            var (inflight, inflightId, _) = SampleConversations.Create((round * 100) + 99);
            Assert.Throws<IOException>(() => archive.Commit(inflight));
            t.Memory!.Crash(new Random(round));
            archive.Dispose();
            t.Faults.Disarm();

            using var reopened = t.Open(o => o with { SegmentSize = 16 << 10 });
            Assert.All(acked, id => Assert.NotNull(reopened.GetSummary(id)));
            if (reopened.GetSummary(inflightId) is { } present)
            {
                Assert.Equal(inflight.Conversations[0].NodeIds.Count, present.Nodes);
            }

            var report = ArchiveVerifier.Verify(reopened);
            Assert.True(report.Ok, string.Join("\n", report.Faults));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_DamagedLengthFieldWithValidFramesAfterAndStaleCheckpoint_RefusesToCut(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        Seed(t, 4);
        var seg = t.ReadFile(t.SegmentPath(1));
        var offsets = FrameOffsets(seg);
        seg[(int)offsets[1] + 3] = 0x7F; // the length field now says ~2 GiB
        t.WriteFile(t.SegmentPath(1), seg);
        t.WriteFile(Path.Combine(t.Directory, "writer.chk"), new Checkpoint(1, offsets[1]).ToBytes());

        var e = Assert.Throws<CorruptArchiveException>(() => t.Open());
        Assert.Contains($"offset {offsets[1]}", e.Message, StringComparison.Ordinal);
        Assert.Equal(seg.Length, t.ReadFile(t.SegmentPath(1)).Length);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Init_SegmentsWithoutManifest_RefusesAndDeletesNothing(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        Seed(t, 2);
        var manifest = Path.Combine(t.Directory, "archive.json");
        t.FileSystem.Delete(manifest);

        var e = Assert.Throws<CorruptArchiveException>(() => t.Init());
        Assert.Contains("no archive.json", e.Message, StringComparison.Ordinal);
        Assert.True(t.FileSystem.FileExists(t.SegmentPath(1)));
    }
}

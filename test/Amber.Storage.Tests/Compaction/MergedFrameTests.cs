using System.Buffers.Binary;
using Amber.Storage.Format;
using Amber.Storage.Reading;
using Amber.Storage.Tests.Packing;
using Amber.Storage.Verification;
using Amber.Testing;
using static Amber.Storage.Tests.Compaction.CompactionSamples;

namespace Amber.Storage.Tests.Compaction;

/// <summary>
/// Compaction into merged commit frames (kind 4, record-frame.md §4a, segment.md §14): consecutive commits of a sealed
/// segment share one frame, each still reads back, is verified and is found by its seq, and segments compacted before
/// merged frames existed still read and are merged by the next compaction.
/// </summary>
public sealed class MergedFrameTests
{
    private const int Conversations = 24;

    private static ArchiveOptions Small(ArchiveOptions o) => o with { SegmentSize = 12 << 10, CompressionLevel = 1 };

    [Theory]
    [MemberData(nameof(TestArchives.AllKinds), MemberType = typeof(TestArchives))]
    public void Compact_ConsecutiveCommits_AreMergedIntoFewerFramesAndEverythingReadsBack(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init(Small);
        var ids = Seed(archive, Conversations);
        var before = Snapshot(archive, ids);
        var commitFrames = SegmentFrames.Headers(t).Count(h => h.Kind == FrameKind.Commit);

        var report = archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken);

        var after = SegmentFrames.Headers(t);
        Assert.True(report.SegmentsRewritten >= 2, $"only {report.SegmentsRewritten} segment(s) rewritten");
        Assert.Contains(after, h => h.Kind == FrameKind.Commits);
        Assert.True(after.Count(h => h.Kind is FrameKind.Commit or FrameKind.Commits) < commitFrames / 2, $"{commitFrames} commit frames became {after.Count(h => h.Kind is FrameKind.Commit or FrameKind.Commits)}");
        Assert.Equal(SegmentHeader.MergedVersion, Header(t, 1).MinReaderVersion);
        Assert.Equal(before, Snapshot(archive, ids));
        AssertVerifies(archive);

        archive.RebuildIndex();
        Assert.Equal(before, Snapshot(archive, ids));
        AssertVerifies(archive);
    }

    [Fact]
    public void Compact_ASegmentCompactedWithoutMerging_StaysReadableByVersion3ReadersAndIsMergedByTheNextCompaction()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var archive = t.Init(Small);
        var ids = Seed(archive, Conversations);
        var before = Snapshot(archive, ids);

        // What `amber compact` wrote before merged frames: each commit in a frame of its own, a version-3 segment.
        var first = archive.Compact(19, mergeBytes: 0, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(first.SegmentsRewritten >= 2);
        Assert.DoesNotContain(SegmentFrames.Headers(t), h => h.Kind == FrameKind.Commits);
        Assert.Equal(SegmentHeader.CurrentVersion, Header(t, 1).MinReaderVersion);
        Assert.Equal(19, Header(t, 1).CompactionLevel);
        Assert.Equal(0, archive.Compact(19, mergeBytes: 0, cancellationToken: TestContext.Current.CancellationToken).SegmentsRewritten);
        archive.Dispose();

        using var reopened = t.Open(Small);
        Assert.Equal(before, Snapshot(reopened, ids));
        var second = reopened.Compact(19, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(first.SegmentsRewritten, second.SegmentsRewritten);
        Assert.True(second.BytesAfter < second.BytesBefore, $"{second.BytesBefore} → {second.BytesAfter}");
        Assert.Contains(SegmentFrames.Headers(t), h => h.Kind == FrameKind.Commits);
        Assert.Equal(before, Snapshot(reopened, ids));
        AssertVerifies(reopened);
    }

    [Fact]
    public void Compact_AMergedSegmentAgainAtAHigherLevelOrUnmerged_MovesEveryCommitOutOfItsOldMergedFrame()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init(Small);
        var ids = Seed(archive, Conversations);
        var before = Snapshot(archive, ids);
        archive.Compact(9, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(SegmentFrames.Headers(t), h => h.Kind == FrameKind.Commits);

        archive.Compact(12, mergeBytes: 1 << 10, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(before, Snapshot(archive, ids));
        AssertVerifies(archive);

        archive.Compact(19, mergeBytes: 0, cancellationToken: TestContext.Current.CancellationToken);
        Assert.DoesNotContain(SegmentFrames.Headers(t), h => h.Kind == FrameKind.Commits);
        Assert.Equal(before, Snapshot(archive, ids));
        AssertVerifies(archive);
    }

    [Fact]
    public void Verify_ACommitAlteredInsideAMergedFrame_IsReportedWithTheFileTheOffsetAndTheCommit()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init(Small);
        Seed(archive, Conversations);
        archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken);

        // A merged frame whose CRC holds but one node's text differs from what was committed: only the content checks can tell.
        var path = t.SegmentPath(1);
        var bytes = t.ReadFile(path);
        var (offset, frame) = FirstMerged(bytes);
        var header = RecordFrame.ReadHeader(frame);
        using var compression = new Compression([]);
        var decoded = compression.Decode(header, RecordFrame.Payload(frame));
        var node = CommitPayload.Read(decoded).Last(e => e.Type == EntryType.Node);
        var text = node.Body.Span.IndexOf("\"text\":\""u8);
        Assert.True(text >= 0, "a node with text");
        decoded[node.Offset + text + 8] ^= 0x01;
        var altered = RecordFrame.Encode(FrameKind.Commits, Codec.Zstd, 0, decoded.Length, Compression.Compress(decoded, 3, null));
        t.WriteFile(path, [.. bytes.AsSpan(0, (int)offset), .. altered, .. bytes.AsSpan((int)offset + frame.Length)]);

        var report = ArchiveVerifier.Verify(archive);

        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.StartsWith($"seg-000001.amb at offset {offset} (commit ", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadCommitPayload_EachCommitOfAMergedFrame_IsFoundBySeqFromOneCachedDecode()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var archive = t.Init(Small);
        Seed(archive, Conversations);
        archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken);
        archive.Dispose();
        var (offset, frame) = FirstMerged(t.ReadFile(t.SegmentPath(1)));
        using var store = new Segments.SegmentStore(t.Options(Small));

        var decoded = store.ReadDecodedFrame(1, offset);
        var members = MergedCommits.Members(decoded);

        Assert.True(members.Count > 1, $"{members.Count} commit(s) in the merged frame");
        Assert.Same(decoded, store.ReadDecodedFrame(1, offset)); // decoded once, then from the cache
        foreach (var (start, length) in members)
        {
            var seq = MergedCommits.SeqOf(decoded.AsSpan(start, length));
            Assert.True(store.ReadCommitPayload(1, offset, seq).Span.SequenceEqual(decoded.AsSpan(start, length)), $"commit {seq}");
        }

        Assert.Throws<CorruptArchiveException>(() => store.ReadCommitPayload(1, offset, 1_000_000));
        store.Forget(1);
        Assert.NotSame(decoded, store.ReadDecodedFrame(1, offset));
        Assert.Equal(RecordFrame.ReadHeader(frame).UncompressedLength, decoded.Length);
    }

    private static (long Offset, byte[] Frame) FirstMerged(byte[] segment)
    {
        var pos = SegmentHeader.Size;
        while (RecordFrame.Check(segment.AsSpan(pos)) == FrameCheck.Ok)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(segment.AsSpan(pos)) + 12;
            if (RecordFrame.ReadHeader(segment.AsSpan(pos)).Kind == FrameKind.Commits)
            {
                return (pos, segment.AsSpan(pos, length).ToArray());
            }

            pos += length;
        }

        throw new InvalidOperationException("no merged frame in the segment");
    }

    private static SegmentHeader Header(TestArchives t, uint n) => SegmentHeader.Parse(t.ReadFile(t.SegmentPath(n)), "seg");
}

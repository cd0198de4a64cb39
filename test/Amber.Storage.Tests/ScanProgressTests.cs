using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests;

public sealed class ScanProgressTests
{
    public static TheoryDataKinds Kinds => TestArchives.AllKinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Verify_WithProgress_CountsRiseToEveryFrameAndByteOfEverySegment(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = Seed(t);
        var seen = new Recorded();

        var report = ArchiveVerifier.Verify(archive, [], seen);

        Assert.True(report.Ok, string.Join("\n", report.Faults));
        Assert.True(report.Segments > 1, "the scan should cross segments");
        AssertRisesToTotal(seen.Reports, report.Frames, report.Bytes);
    }

    [Fact]
    public void RebuildIndex_WithProgress_CountsRiseToEveryFrameIndexed()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        using var archive = Seed(t);
        var segmentBytes = archive.GetStats().SegmentBytes;
        var seen = new Recorded();

        var report = archive.RebuildIndex(seen);

        Assert.True(report.FramesIndexed > 0);
        AssertRisesToTotal(seen.Reports, report.FramesIndexed, segmentBytes);
    }

    [Fact]
    public void Verify_WithoutProgress_StillVerifies()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = Seed(t);

        Assert.True(ArchiveVerifier.Verify(archive, [], progress: null).Ok);
    }

    private static Archive Seed(TestArchives t)
    {
        var archive = t.Init(o => o with { SegmentSize = 8 << 10 });
        for (var i = 0; i < 20; i++)
        {
            archive.Commit(SampleConversations.Create(i).Batch);
        }

        return archive;
    }

    private static void AssertRisesToTotal(List<ScanProgress> reports, long frames, long bytes)
    {
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal(bytes, r.BytesTotal));
        for (var i = 1; i < reports.Count; i++)
        {
            Assert.True(reports[i].BytesScanned >= reports[i - 1].BytesScanned && reports[i].Frames >= reports[i - 1].Frames, $"report {i} went backwards");
        }

        Assert.Equal(new ScanProgress(frames, bytes, bytes), reports[^1]);
    }

    /// <summary>Reports taken on the scanning thread, in order (Progress&lt;T&gt; would post them to the pool).</summary>
    private sealed class Recorded : IProgress<ScanProgress>
    {
        public List<ScanProgress> Reports { get; } = [];

        public void Report(ScanProgress value) => Reports.Add(value);
    }
}

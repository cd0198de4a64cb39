using System.Text.Json.Nodes;
using Amber.Storage.Format;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests.Hardening;

/// <summary>
/// Issue 22: <c>verify</c> decodes each frame once. The segment scan hands the frames it decoded to the index audit
/// (<see cref="ScannedFrames"/>), which indexes those rather than reading the segments again; where they are not the
/// frames a rebuild would read, it reads the segments itself.
/// </summary>
public sealed class ScannedFramesTests
{
    [Fact]
    public async Task TheAudit_IndexesTheFramesHandedOver_NotItsOwnReads()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = await TwoCommitsAsync(t);

        Assert.Empty(Audit(archive, frames => frames));

        // Commit 2 handed over with another time: the audit compares what it was given, so the commits row differs.
        var faults = Audit(archive, frames => frames.Select(f => f.Commits?[0].Commit!.Info["seq"]?.GetValue<long>() == 2 ? Retimed(f) : f));
        Assert.Contains(faults, f => f.StartsWith("index: commits:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("damaged")]
    [InlineData("missing")]
    [InlineData("cut short")]
    public async Task FramesThatAreNotWhatARebuildReads_AreReadAgain_AndTheIndexStillAudits(string how)
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = await TwoCommitsAsync(t);

        var faults = Audit(archive, frames =>
        {
            var list = frames.ToList();
            var i = list.FindLastIndex(f => f.Commits is not null);
            return how switch
            {
                "damaged" => list.Select((f, k) => k == i ? new ScannedFrame(ScannedFrame.Kinds.Damaged, f.Segment, f.Offset, f.SegmentLength) : f),
                "missing" => list.Where((_, k) => k != i),
                _ => list.Take(i),
            };
        });
        Assert.Empty(faults);
    }

    private static async Task<Archive> TwoCommitsAsync(TestArchives t)
    {
        var archive = t.Init();
        archive.Commit(SampleConversations.Create(1).Batch);
        archive.Commit(SampleConversations.Create(2).Batch);
        await archive.EnsureCheckpointAsync();
        archive.WaitForIndexer();
        return archive;
    }

    private static ScannedFrame Retimed(ScannedFrame f)
    {
        var prepared = f.Commits![0];
        var info = (JsonObject)prepared.Commit!.Info.DeepClone();
        info["time"] = "1999-01-01T00:00:00.000Z";
        return f with { Commits = [prepared.WithCommit(prepared.Commit with { Info = info })] };
    }

    /// <summary>Runs the index audit on frames read and decoded here, as the segment scan reads them, changed by <paramref name="change"/>.</summary>
    private static List<string> Audit(Archive archive, Func<IEnumerable<ScannedFrame>, IEnumerable<ScannedFrame>> change)
    {
        var report = new VerifyReport();
        using var scanned = new ScannedFrames();
        var audit = Task.Run(() => IndexAudit.Run(archive, report, 50, scanned));
        foreach (var f in change(Read(archive)))
        {
            scanned.Add(f);
        }

        scanned.Complete();
        audit.GetAwaiter().GetResult();
        return report.Faults;
    }

    internal static List<ScannedFrame> Read(Archive archive)
    {
        var frames = new List<ScannedFrame>();
        using var compression = new Compression(archive.SnapshotDictionaries());
        foreach (var number in archive.SegmentNumbers())
        {
            using var file = archive.FileSystem.OpenRead(archive.Paths.Segment(number));
            long pos = SegmentHeader.Size;
            while (true)
            {
                var step = SegmentScanner.Read(file, pos, file.Length, ArchivePaths.SegmentName(number));
                if (step.Kind == SegmentScanner.StepKind.Footer)
                {
                    frames.Add(new ScannedFrame(ScannedFrame.Kinds.Footer, number, pos, file.Length));
                }

                if (step.Kind != SegmentScanner.StepKind.Frame)
                {
                    break;
                }

                var header = RecordFrame.ReadHeader(step.Bytes!);
                var commits = header.Kind is FrameKind.Commit or FrameKind.Commits
                    ? PreparedFrame.Prepare(number, pos, step.Bytes!, compression, archive.Options.TimeProvider)
                    : null;
                frames.Add(new ScannedFrame(ScannedFrame.Kinds.Frame, number, pos, file.Length, step.Bytes, commits));
                pos = step.Next;
            }
        }

        return frames;
    }
}

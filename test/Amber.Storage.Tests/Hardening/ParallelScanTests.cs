using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests.Hardening;

/// <summary>
/// Issue 22, verify: the segment scan prepares frames (decompress, canonical form, node ids and parses) on the thread
/// pool, ahead of the frame it checks (<see cref="FramePreparer"/>), and checks them in file order, so faults come out
/// in the order of the frames they are about, however the preparing threads interleave.
/// </summary>
public sealed class ParallelScanTests
{
    [Fact]
    public void Faults_AreListedInTheOrderOfTheFrames_ThoughFramesArePreparedAhead()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var ids = new List<string>();
        using (var archive = t.Init(o => o with { ExternalBlobThreshold = 1024 }))
        {
            var random = new Random(7);
            for (var i = 0; i < 30; i++)
            {
                var batch = new CommitBatch("test");
                var bytes = new byte[4_000 + (i * 997 % 20_000)]; // frames of differing cost, so preparing threads finish out of order
                random.NextBytes(bytes);
                ids.Add(batch.AddBlob(bytes));
                archive.Commit(batch);
            }
        }

        Directory.Delete(Path.Combine(t.Directory, "blobs"), recursive: true);
        using var reopened = t.Open();
        for (var round = 0; round < 3; round++)
        {
            var report = ArchiveVerifier.Verify(reopened);
            var named = report.Faults.Where(f => f.StartsWith("blob ", StringComparison.Ordinal)).ToList();
            Assert.Equal(ids.Count, named.Count);
            for (var i = 0; i < ids.Count; i++)
            {
                Assert.StartsWith($"blob {ids[i]}: file ", named[i], StringComparison.Ordinal);
                Assert.EndsWith(" is missing.", named[i], StringComparison.Ordinal);
            }
        }
    }
}

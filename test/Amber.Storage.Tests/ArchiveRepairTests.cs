using Amber.Storage.Repair;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary><see cref="ArchiveRepair"/>: damaged segments and blobs come back from a replica or a bag, only after their hashes check out.</summary>
public sealed class ArchiveRepairTests
{
    [Fact]
    public void Repair_FromReplica_RestoresDamagedSegmentAndBlob_AndVerifyPasses()
    {
        using var temp = new TempDirectory("amber-repair");
        var (dir, replica) = ArchiveAndReplica(temp);
        var segment = Path.Combine(dir, "segments", "seg-000001.amb");
        FlipBit(segment, 200);
        var blob = Directory.GetFiles(Path.Combine(dir, "blobs"), "*.zst", SearchOption.AllDirectories)[0];
        File.WriteAllBytes(blob, File.ReadAllBytes(blob)[..10]);
        Assert.False(VerifyOk(dir));

        var report = ArchiveRepair.Run(dir, replica);

        Assert.Empty(report.Unrepaired);
        Assert.Contains("segments/seg-000001.amb", report.Restored);
        Assert.Contains(report.Restored, r => r.StartsWith("blobs/", StringComparison.Ordinal));
        Assert.Contains(report.Damaged, d => d.Contains("seg-000001.amb at offset", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(dir, ArchiveRepair.DamagedFolder, "segments", "seg-000001.amb")), "the damaged original is kept");
        Assert.True(VerifyOk(dir));
    }

    /// <summary>
    /// A replica behind the archive (or a node's last shipped pass): its copy of the last segment is shorter. Taken alone
    /// it would drop the commits after its end; repair takes the copy's bytes then this file's own after them, once the
    /// whole checks out. With the tail damaged too, it refuses and leaves the file as it was.
    /// </summary>
    [Fact]
    public void Repair_FromAReplicaBehindTheArchive_SplicesItsCopyWithTheFilesLaterBytes_LosingNothing()
    {
        using var temp = new TempDirectory("amber-repair");
        var (dir, replica) = ArchiveAndReplica(temp);
        using (var archive = Archive.Open(new ArchiveOptions { Directory = dir }))
        {
            archive.Commit(SampleConversations.Create(99).Batch); // the replica lacks this one
        }

        var last = Directory.GetFiles(Path.Combine(dir, "segments")).Order(StringComparer.Ordinal).Last();
        var before = File.ReadAllBytes(last);
        Assert.True(new FileInfo(Path.Combine(replica, "segments", Path.GetFileName(last))).Length < before.Length, "the replica is behind");
        FlipBit(last, 100);

        var report = ArchiveRepair.Run(dir, replica);

        Assert.Empty(report.Unrepaired);
        Assert.Equal(before, File.ReadAllBytes(last));
        Assert.True(VerifyOk(dir));

        // The same, with a byte after the replica's end damaged too: nothing to splice with, and the file is left alone.
        var replicaLength = (int)new FileInfo(Path.Combine(replica, "segments", Path.GetFileName(last))).Length;
        FlipBit(last, 100);
        FlipBit(last, replicaLength + 40);
        var damaged = File.ReadAllBytes(last);
        var again = ArchiveRepair.Run(dir, replica);
        Assert.Contains(again.Unrepaired, u => u.Contains("it is behind", StringComparison.Ordinal));
        Assert.Equal(damaged, File.ReadAllBytes(last));
    }

    [Fact]
    public void Repair_ReplicaDamagedToo_RefusesThatFileAndLeavesItAlone()
    {
        using var temp = new TempDirectory("amber-repair");
        var (dir, replica) = ArchiveAndReplica(temp);
        FlipBit(Path.Combine(dir, "segments", "seg-000001.amb"), 300);
        FlipBit(Path.Combine(replica, "segments", "seg-000001.amb"), 400);
        var damaged = File.ReadAllBytes(Path.Combine(dir, "segments", "seg-000001.amb"));

        var report = ArchiveRepair.Run(dir, replica);

        Assert.Contains(report.Unrepaired, u => u.Contains("seg-000001.amb", StringComparison.Ordinal) && u.Contains("damaged too", StringComparison.Ordinal));
        Assert.Equal(damaged, File.ReadAllBytes(Path.Combine(dir, "segments", "seg-000001.amb")));
    }

    [Fact]
    public void Repair_FromAnotherArchive_IsRefused()
    {
        using var temp = new TempDirectory("amber-repair");
        var (dir, _) = ArchiveAndReplica(temp);
        var other = temp.Combine("other");
        Build(other, 12);

        var e = Assert.Throws<InvalidOperationException>(() => ArchiveRepair.Run(dir, other));
        Assert.Contains("not", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repair_FromBag_RestoresABlobWhoseBytesHashToItsName()
    {
        using var temp = new TempDirectory("amber-repair");
        var (dir, _) = ArchiveAndReplica(temp);
        var bag = temp.Combine("bag");
        using (var archive = Archive.Open(new ArchiveOptions { Directory = dir }))
        {
            Amber.Storage.Export.BagExport.Write(archive, bag);
        }

        var blob = Directory.GetFiles(Path.Combine(dir, "blobs"), "*.zst", SearchOption.AllDirectories)[0];
        FlipBit(blob, 5);

        var report = ArchiveRepair.Run(dir, bag);

        Assert.Empty(report.Unrepaired);
        Assert.Single(report.Restored);
        Assert.True(VerifyOk(dir));
    }

    private static (string Dir, string Replica) ArchiveAndReplica(TempDirectory temp)
    {
        var dir = temp.Combine("archive");
        Build(dir, 12);
        var replica = temp.Combine("replica");
        foreach (var file in Directory.GetFiles(dir, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(replica, Path.GetRelativePath(dir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return (dir, replica);
    }

    private static void Build(string dir, int commits)
    {
        using var archive = Archive.Open(new ArchiveOptions { Directory = dir, CreateIfMissing = true, SegmentSize = 8 << 10, ExternalBlobThreshold = 2 << 10 });
        for (var i = 0; i < commits; i++)
        {
            var (batch, _, _) = SampleConversations.Create(i, turns: 3, branches: 2);
            var big = new byte[3000 + i];
            new Random(i).NextBytes(big);
            batch.AddBlob(big);
            archive.Commit(batch);
        }

        Assert.True(archive.SegmentNumbers().Count > 1, "the test wants sealed segments");
    }

    private static bool VerifyOk(string dir)
    {
        try
        {
            using var archive = Archive.Open(new ArchiveOptions { Directory = dir, ReadOnly = true });
            return ArchiveVerifier.Verify(archive).Ok;
        }
        catch (CorruptArchiveException)
        {
            return false;
        }
    }

    private static void FlipBit(string path, int offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset % bytes.Length] ^= 0x10;
        File.WriteAllBytes(path, bytes);
    }
}

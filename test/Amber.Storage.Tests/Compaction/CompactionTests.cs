using Amber.Storage.Reading;
using Amber.Storage.Verification;
using Amber.Testing;
using Microsoft.Data.Sqlite;
using static Amber.Storage.Tests.Compaction.CompactionSamples;

namespace Amber.Storage.Tests.Compaction;

/// <summary>
/// Compaction of sealed segments (segment.md §14): everything reads back identical, the log is untouched, verify holds,
/// and a fault or crash at any step leaves an archive that opens, verifies and holds everything.
/// </summary>
public sealed class CompactionTests
{
    private const int Conversations = 24;

    private static ArchiveOptions Small(ArchiveOptions o) => o with { SegmentSize = 8 << 10, CompressionLevel = 1 };

    [Theory]
    [MemberData(nameof(TestArchives.AllKinds), MemberType = typeof(TestArchives))]
    public void Compact_SealedSegments_EveryConversationNodeBlobAndLogEntryReadsBackIdentical(FileSystemKind kind)
    {
        using var t = new TestArchives(kind);
        using var archive = t.Init(Small);
        var ids = Seed(archive, Conversations);
        var before = Snapshot(archive, ids);
        var logSize = archive.Log.Size;
        var root = archive.Log.Root(logSize);
        var sizeBefore = SegmentBytes(t, archive);

        var report = archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(report.SegmentsRewritten >= 3, $"only {report.SegmentsRewritten} segment(s) rewritten");
        Assert.True(report.BytesAfter < report.BytesBefore, $"{report.BytesBefore} → {report.BytesAfter}");
        Assert.Equal(sizeBefore - report.BytesBefore + report.BytesAfter, SegmentBytes(t, archive));
        Assert.Equal(before, Snapshot(archive, ids));
        Assert.Equal(root, archive.Log.Root(archive.Log.Size));
        AssertVerifies(archive);

        // Done once per level: a second run finds nothing left to do.
        var again = archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, again.SegmentsRewritten);
        Assert.Equal(report.SegmentsRewritten, again.SegmentsSkipped);

        // Writing goes on after it, and a reopened archive (and a rebuilt index) reads the compacted files.
        var (b, extra, _) = SampleConversations.Create(500);
        archive.Commit(b);
        archive.Dispose();
        using var reopened = t.Open(Small);
        Assert.Equal(before, Snapshot(reopened, ids));
        Assert.NotNull(reopened.GetConversation(extra));
        reopened.RebuildIndex();
        Assert.Equal(before, Snapshot(reopened, ids));
        Assert.Equal(root, reopened.Log.Root(logSize));
        AssertVerifies(reopened);
    }

    [Fact]
    public void Compact_ActiveSegment_IsNeverRewritten()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init(Small);
        Seed(archive, Conversations);
        var last = archive.SegmentNumbers()[^1];
        var activeBefore = t.ReadFile(t.SegmentPath(last));

        archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(activeBefore, t.ReadFile(t.SegmentPath(last)));
        Assert.Equal(last - 1, (uint)archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken).SegmentsSkipped);
    }

    [Fact]
    public void Compact_ActiveSegmentPastTheSealThreshold_IsSealedCompactedAndWritingGoesOnInTheNext()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        var archive = t.Init(o => o with { CompressionLevel = 1 });
        var ids = Seed(archive, Conversations);
        var before = Snapshot(archive, ids);
        Assert.Single(archive.SegmentNumbers());

        Assert.Equal(0, archive.Compact(19, sealActiveFrom: null, cancellationToken: TestContext.Current.CancellationToken).SegmentsRewritten);
        Assert.Equal(0, archive.Compact(19, sealActiveFrom: 1 << 30, cancellationToken: TestContext.Current.CancellationToken).SegmentsRewritten);
        var report = archive.Compact(19, sealActiveFrom: 1, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, report.SegmentsRewritten);
        Assert.Equal([1u, 2u], archive.SegmentNumbers());
        var (b, extra, _) = SampleConversations.Create(700);
        archive.Commit(b);
        Assert.Equal(before, Snapshot(archive, ids));
        AssertVerifies(archive);
        archive.Dispose();
        t.Memory!.Crash();
        using var reopened = t.Open();
        Assert.Equal(before, Snapshot(reopened, ids));
        Assert.NotNull(reopened.GetConversation(extra));
        AssertVerifies(reopened);
    }

    public static TheoryData<string, int> Faults => new()
    {
        { "fail-write", 0 },
        { "fail-write", 3 },
        { "fail-write", 12 },
        { "tear-write", 2 },
        { "fail-sync", 0 },
        { "fail-sync", 1 },
        { "fail-sync", 2 },
        { "fail-sync", 3 },
        { "fail-read", 5 },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void Compact_WhenIoFailsAtAStep_TheArchiveReopensVerifiesAndHoldsEverything(string fault, int after)
    {
        using var t = new TestArchives(FileSystemKind.FaultInjecting);
        var archive = t.Init(Small);
        var ids = Seed(archive, Conversations);
        var before = Snapshot(archive, ids);
        var root = archive.Log.Root(archive.Log.Size);
        switch (fault)
        {
            case "fail-write": t.Faults!.FailWriteAfter(after); break;
            case "tear-write": t.Faults!.TearWriteAfter(after, 5); break;
            case "fail-read": t.Faults!.FailReadAfter(after); break;
            default: t.Faults!.FailSyncAfter(after); break;
        }

        Assert.Throws<IOException>(() => archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(1, t.Faults.FaultsFired);
        t.Faults.Disarm();

        // The process goes on: what it reads is still right, in the old file or the new one.
        Assert.Equal(before, Snapshot(archive, ids));
        archive.Dispose();
        t.Memory!.Crash(new Random(after));

        using var reopened = t.Open(Small);
        Assert.Equal(before, Snapshot(reopened, ids));
        Assert.Equal(root, reopened.Log.Root(reopened.Log.Size));
        AssertVerifies(reopened);
        Assert.DoesNotContain(t.FileSystem.ListFiles(Path.Combine(t.Directory, "segments")), n => n.EndsWith(".tmp", StringComparison.Ordinal));

        // And the compaction then runs to the end.
        reopened.Compact(19, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(before, Snapshot(reopened, ids));
        AssertVerifies(reopened);
    }

    [Fact]
    public void Open_AfterACrashBetweenTheIndexUpdateAndTheRename_RebuildsTheIndexFromTheOldFile()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var archive = t.Init(Small);
        var ids = Seed(archive, Conversations);
        var before = Snapshot(archive, ids);
        var oldFirst = t.ReadFile(t.SegmentPath(1));
        archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken);
        var marker = $"1:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(t.ReadFile(t.SegmentPath(1)).AsSpan(0, t.ReadFile(t.SegmentPath(1)).Length - 64)))}";
        archive.Dispose();

        // The state a kill leaves after the index transaction committed and before the rename: rows point into the
        // new file, the marker names it, and the old file is in place.
        t.WriteFile(t.SegmentPath(1), oldFirst);
        SetMeta(t.IndexPath, "segment_compaction", marker);

        using var reopened = t.Open(Small);
        Assert.True(reopened.Recovery.IndexRebuilt);
        Assert.Contains(reopened.Recovery.Actions, a => a.Contains("cut short", StringComparison.Ordinal));
        Assert.Equal(before, Snapshot(reopened, ids));
        AssertVerifies(reopened);
    }

    [Fact]
    public void Open_AfterACrashBetweenTheRenameAndDroppingTheMarker_KeepsTheIndexAndDropsTheMarker()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        var archive = t.Init(Small);
        var ids = Seed(archive, Conversations);
        var before = Snapshot(archive, ids);
        archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken);
        var file = t.ReadFile(t.SegmentPath(1));
        var marker = $"1:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file.AsSpan(0, file.Length - 64)))}";
        archive.Dispose();
        SetMeta(t.IndexPath, "segment_compaction", marker);

        using var reopened = t.Open(Small);
        Assert.False(reopened.Recovery.IndexRebuilt);
        Assert.Contains(reopened.Recovery.Actions, a => a.Contains("finished a compaction", StringComparison.Ordinal));
        Assert.Equal(before, Snapshot(reopened, ids));
        AssertVerifies(reopened); // verify compares meta too: the marker is gone
    }

    [Fact]
    public void Verify_DamageInACompactedSegment_IsReportedWithTheSegment()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init(Small);
        Seed(archive, Conversations);
        archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken);
        var bytes = t.ReadFile(t.SegmentPath(2));
        bytes[bytes.Length / 2] ^= 0x40;
        t.WriteFile(t.SegmentPath(2), bytes);

        var report = ArchiveVerifier.Verify(archive);

        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.Contains("seg-000002.amb", StringComparison.Ordinal));
    }

    [Fact]
    public void Compact_DamagedSealedSegment_IsRefusedAndLeftAsItIs()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init(Small);
        Seed(archive, Conversations);
        var bytes = t.ReadFile(t.SegmentPath(1));
        bytes[100] ^= 0x01;
        t.WriteFile(t.SegmentPath(1), bytes);

        var e = Assert.Throws<CorruptArchiveException>(() => archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("seg-000001.amb", e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, t.ReadFile(t.SegmentPath(1)));
    }

    [Fact]
    public async Task Compact_WhileReadersRead_EveryReadReturnsTheSameConversation()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        using var archive = t.Init(Small);
        var ids = Seed(archive, Conversations);
        var before = Snapshot(archive, ids);
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var i = r;
            while (!stop.IsCancellationRequested)
            {
                var id = ids[i++ % ids.Count];
                Assert.Equal(before[id], Describe(archive, id));
                Interlocked.Increment(ref reads);
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        // Readers run before, during and after every swap; three passes at rising levels make three swaps per segment.
        SpinWait.SpinUntil(() => Volatile.Read(ref reads) > 10, TimeSpan.FromMinutes(1));
        foreach (var level in new[] { 3, 9, 19 })
        {
            archive.Compact(level, cancellationToken: TestContext.Current.CancellationToken);
        }

        var afterSwaps = Volatile.Read(ref reads);
        SpinWait.SpinUntil(() => Volatile.Read(ref reads) > afterSwaps + 10, TimeSpan.FromMinutes(1));
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(before, Snapshot(archive, ids));
    }

    [Fact]
    public void Compact_WhileAnotherProcessReadsReadOnly_IsRefusedUntilItCloses()
    {
        // A read-only open stands for another process: it takes its rows and reads its files at different moments,
        // so no swap may happen under it (segment.md §14).
        using var t = new TestArchives(FileSystemKind.Local);
        using var archive = t.Init(Small);
        var ids = Seed(archive, Conversations);
        var before = Snapshot(archive, ids);
        var sizeBefore = SegmentBytes(t, archive);

        using (var reader = t.Open(o => Small(o) with { ReadOnly = true }))
        {
            var e = Assert.Throws<InvalidOperationException>(() => archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Contains("open read-only", e.Message, StringComparison.Ordinal);
            Assert.Equal(before[ids[0]], Describe(reader, ids[0]));
        }

        Assert.Equal(sizeBefore, SegmentBytes(t, archive));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(t.SegmentPath(1))!, "*.tmp"));
        Assert.Equal(before, Snapshot(archive, ids));

        var report = archive.Compact(19, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(report.SegmentsRewritten >= 3, $"only {report.SegmentsRewritten} segment(s) rewritten");
        Assert.Equal(before, Snapshot(archive, ids));
        AssertVerifies(archive);
    }

    private static long SegmentBytes(TestArchives t, Archive archive) => archive.SegmentNumbers().Sum(n => (long)t.ReadFile(t.SegmentPath(n)).Length);

    private static void SetMeta(string indexPath, string key, string value)
    {
        using (var c = new SqliteConnection($"Data Source={indexPath}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
            cmd.Parameters.AddWithValue("$k", key);
            cmd.Parameters.AddWithValue("$v", value);
            cmd.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }
}

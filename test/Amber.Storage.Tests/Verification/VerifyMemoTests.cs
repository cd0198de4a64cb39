using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests.Verification;

/// <summary>
/// Issue 22: verify re-hashes every byte every time, and skips the deep checks of a segment or the index only when its
/// bytes (and every segment before it) hash to what <c>verify.memo</c> recorded under the archive's key.
/// </summary>
public sealed class VerifyMemoTests
{
    private static ArchiveOptions Small(ArchiveOptions o) => o with { SegmentSize = 8 << 10, CompressionLevel = 1 };

    [Fact]
    public async Task SecondVerify_OfAHealthyArchive_DeepChecksNothing_AndPasses()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = Build(t, 12);

        var first = ArchiveVerifier.Verify(archive);
        Assert.True(first.Ok, string.Join("\n", first.Faults));
        Assert.Equal("none", first.MemoState);
        Assert.True(File.Exists(Path.Combine(t.Directory, VerifyMemo.FileName)));
        Assert.True(first.Segments > 2, $"{first.Segments} segment(s)");
        Assert.Contains("index.db", first.DeepChecked);
        Assert.Empty(first.FixityOnly);

        var memoPath = Path.Combine(t.Directory, VerifyMemo.FileName);
        var (memoBytes, memoWritten) = (File.ReadAllBytes(memoPath), File.GetLastWriteTimeUtc(memoPath));
        var second = ArchiveVerifier.Verify(archive);
        Assert.True(second.Ok, string.Join("\n", second.Faults));
        Assert.Equal("used", second.MemoState);

        // Nothing after the memoised segments was deep-checked, so their ids were only counted, never decoded; and the
        // memo, which would come out the same, is not written again.
        Assert.Equal(0, second.MemoSegmentsTakenOn);
        Assert.Equal(memoBytes, File.ReadAllBytes(memoPath));
        Assert.Equal(memoWritten, File.GetLastWriteTimeUtc(memoPath));
        Assert.True(second.DeepChecked.Count == 0, string.Join("\n", second.Notes));
        Assert.Equal(first.Segments + 1, second.FixityOnly.Count);
        Assert.All(second.FixityOnly, u => Assert.Equal(VerifyMemo.CheckVersion, u.CheckVersion));
        Assert.True(second.FixityBytes >= second.Bytes, "every file is still re-read and hashed");
        Assert.Equal((first.Frames, first.Commits, first.Nodes, first.Blobs, first.Bytes), (second.Frames, second.Commits, second.Nodes, second.Blobs, second.Bytes));
        Assert.Equal(first.Notes, second.Notes);
    }

    /// <summary>Damage made after a verify wrote the memo is found exactly as a verify without the memo finds it.</summary>
    [Theory]
    [InlineData("a bit flipped in a frame of the first segment", 1)]
    [InlineData("a bit flipped in a frame of the active segment", -1)]
    [InlineData("the first segment's footer hash edited", 2)]
    [InlineData("the last sealed segment truncated", 3)]
    [InlineData("an index row edited", 4)]
    [InlineData("writer.chk ahead of the data", 5)]
    public async Task DamageAfterAMemo_IsFoundOnTheNextVerify_AsWithoutIt(string what, int damage)
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = Build(t, 12))
        {
            Assert.True(ArchiveVerifier.Verify(archive).Ok);
            Assert.Empty(ArchiveVerifier.Verify(archive).DeepChecked);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var segments = Directory.GetFiles(Path.Combine(t.Directory, "segments")).Order(StringComparer.Ordinal).ToList();
        switch (damage)
        {
            case 1:
            case -1:
                {
                    var path = damage == 1 ? segments[0] : segments[^1];
                    var bytes = File.ReadAllBytes(path);
                    bytes[SegmentHeaderSize + 40] ^= 0x10;
                    File.WriteAllBytes(path, bytes);
                    break;
                }

            case 2:
                {
                    var bytes = File.ReadAllBytes(segments[0]);
                    bytes[^20] ^= 0x01;
                    File.WriteAllBytes(segments[0], bytes);
                    break;
                }

            case 3:
                {
                    var bytes = File.ReadAllBytes(segments[^2]);
                    File.WriteAllBytes(segments[^2], bytes[..(bytes.Length - 100)]);
                    break;
                }

            case 4:
                IndexFaults.Exec(t.IndexPath, "UPDATE conversations SET title = 'forged' WHERE rowid = (SELECT MIN(rowid) FROM conversations)");
                break;
            default:
                {
                    var path = Path.Combine(t.Directory, "writer.chk");
                    File.Copy(path, path + ".keep");
                    break;
                }
        }

        if (damage == 5)
        {
            // A checkpoint from a longer archive: write more, keep its writer.chk, then put the shorter segments back.
            var saved = segments.ToDictionary(s => s, File.ReadAllBytes);
            await using (var longer = t.Open(Small))
            {
                for (var i = 100; i < 104; i++)
                {
                    longer.Commit(SampleConversations.Create(i).Batch);
                }
            }

            File.Copy(Path.Combine(t.Directory, "writer.chk"), Path.Combine(t.Directory, "writer.chk.longer"));
            foreach (var f in Directory.GetFiles(Path.Combine(t.Directory, "segments")))
            {
                File.Delete(f);
            }

            foreach (var (path, bytes) in saved)
            {
                File.WriteAllBytes(path, bytes);
            }

            File.Copy(Path.Combine(t.Directory, "writer.chk.longer"), Path.Combine(t.Directory, "writer.chk"), overwrite: true);
        }

        var (withMemo, without) = VerifyTwice(t);
        Assert.False(withMemo.Ok, what);
        Assert.Equal(without.Faults, withMemo.Faults);
    }

    [Fact]
    public async Task AnEditedOrForgedMemo_IsDetected_AndEveryUnitIsDeepChecked()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = Build(t, 6);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
        var memoPath = Path.Combine(t.Directory, VerifyMemo.FileName);
        var good = File.ReadAllBytes(memoPath);

        // One byte changed in the body (e.g. a segment's recorded hash set to that of tampered bytes).
        var edited = (byte[])good.Clone();
        edited[40] ^= 1;
        File.WriteAllBytes(memoPath, edited);
        var report = ArchiveVerifier.Verify(archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        Assert.Equal("rejected", report.MemoState);
        Assert.Contains(report.Notes, n => n.Contains("verify.memo is not trusted", StringComparison.Ordinal));
        Assert.Empty(report.FixityOnly);
        Assert.Contains("index.db", report.DeepChecked);

        // A memo made with a key the attacker holds (another archive's, or a guessed one) does not authenticate either.
        var memo = VerifyMemo.Parse(File.ReadAllBytes(memoPath), VerifyMemo.Key(File.ReadAllText(Path.Combine(t.Directory, "log", "signing.key")).Trim(), archive.ArchiveId));
        File.WriteAllBytes(memoPath, memo.ToBytes(VerifyMemo.Key("PRIVATE+KEY+forger+00000000+AAAA", archive.ArchiveId)));
        report = ArchiveVerifier.Verify(archive);
        Assert.Equal("rejected", report.MemoState);
        Assert.Empty(report.FixityOnly);

        // The rejected memo was rewritten by that verify: the next one uses it.
        Assert.Equal("used", ArchiveVerifier.Verify(archive).MemoState);
    }

    [Fact]
    public async Task Full_IgnoresTheMemo_DeepChecksEverything_AndRewritesIt()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = Build(t, 6);
        var first = ArchiveVerifier.Verify(archive);

        var full = ArchiveVerifier.Verify(archive, [], null, full: true);
        Assert.True(full.Ok);
        Assert.Equal("ignored", full.MemoState);
        Assert.Empty(full.FixityOnly);
        Assert.Equal(first.DeepChecked, full.DeepChecked);
        Assert.Equal("used", ArchiveVerifier.Verify(archive).MemoState);
    }

    [Fact]
    public async Task ANewCommit_ReChecksOnlyTheChangedSegments_AndTheIndex()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = Build(t, 12);
        var first = ArchiveVerifier.Verify(archive);
        var sealedBefore = first.Segments - 1;

        archive.Commit(SampleConversations.Create(500).Batch);
        var after = ArchiveVerifier.Verify(archive);
        Assert.True(after.Ok, string.Join("\n", after.Faults));
        Assert.Contains("index.db", after.DeepChecked);
        Assert.DoesNotContain(after.DeepChecked, u => u.StartsWith("seg-", StringComparison.Ordinal) && int.Parse(u[4..10], System.Globalization.CultureInfo.InvariantCulture) <= sealedBefore);
        Assert.Contains(after.DeepChecked, u => u.StartsWith("seg-", StringComparison.Ordinal));
        Assert.Equal(first.Commits + 1, after.Commits);
        Assert.Equal(ArchiveVerifier.Verify(archive, [], null, full: true).Faults, after.Faults);

        // The changed segment's commits were checked against every id the memoised segments before it hold.
        Assert.True(after.MemoSegmentsTakenOn > 0, "the skipped segments' ids were taken on for the segment deep-checked after them");
        var full = ArchiveVerifier.Verify(archive, [], null, full: true);
        Assert.Equal((full.Nodes, full.Blobs, full.Commits), (after.Nodes, after.Blobs, after.Commits));
    }

    /// <summary>
    /// A blob file rewritten with other bytes for the same content (what a bit flip in bits zstd leaves unused does, as
    /// the rot campaign found, or a file `amber repair` restored) is no fault, but the next verify names it in a note.
    /// </summary>
    [Fact]
    public async Task ABlobFileWhoseBytesChangeButNotItsContent_IsNamedInANote_Once()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init(o => Small(o) with { ExternalBlobThreshold = 64 });
        archive.Commit(SampleConversations.Create(7).Batch);
        archive.WaitForIndexer();
        Assert.True(ArchiveVerifier.Verify(archive).Ok);

        var file = Directory.EnumerateFiles(Path.Combine(t.Directory, "blobs"), "*.zst", SearchOption.AllDirectories).First();
        var content = new ZstdSharp.Decompressor().Unwrap(File.ReadAllBytes(file)).ToArray();
        using (var recompress = new ZstdSharp.Compressor(19))
        {
            recompress.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
            var again = recompress.Wrap(content).ToArray();
            Assert.NotEqual(File.ReadAllBytes(file), again);
            File.WriteAllBytes(file, again);
        }

        var report = ArchiveVerifier.Verify(archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        Assert.Contains(report.Notes, n => n.StartsWith(file, StringComparison.Ordinal) && n.Contains("still decodes to the content its id names", StringComparison.Ordinal));
        Assert.DoesNotContain(ArchiveVerifier.Verify(archive).Notes, n => n.StartsWith(file, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACompaction_ReChecksTheRewrittenSegments()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = Build(t, 12);
        Assert.True(ArchiveVerifier.Verify(archive).Ok);

        var compacted = archive.Compact(level: 3, sealActiveFrom: 1, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(compacted.SegmentsRewritten > 0);
        var after = ArchiveVerifier.Verify(archive);
        Assert.True(after.Ok, string.Join("\n", after.Faults));
        Assert.True(after.DeepChecked.Count(u => u.StartsWith("seg-", StringComparison.Ordinal)) >= compacted.SegmentsRewritten);
        Assert.Empty(ArchiveVerifier.Verify(archive).DeepChecked);
    }

    [Fact]
    public async Task AReadOnlyOpen_VerifiesWithTheMemo_ButDoesNotWriteIt()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = Build(t, 6))
        {
            Assert.True(ArchiveVerifier.Verify(archive).Ok);
        }

        var memoPath = Path.Combine(t.Directory, VerifyMemo.FileName);
        var before = File.ReadAllBytes(memoPath);
        await using var reader = t.Open(o => o with { ReadOnly = true });
        var report = ArchiveVerifier.Verify(reader, [], null, full: true);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        Assert.Equal(before, File.ReadAllBytes(memoPath));
    }

    [Fact]
    public async Task WithoutTheSigningKey_VerifyStillWorks_WithoutAMemo()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using (Build(t, 6))
        {
        }

        File.Move(Path.Combine(t.Directory, "log", "signing.key"), Path.Combine(t.Directory, "signing.key.away"));
        await using var archive = t.Open(o => o with { ReadOnly = true });
        var report = ArchiveVerifier.Verify(archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        Assert.Equal("unavailable", report.MemoState);
        Assert.False(File.Exists(Path.Combine(t.Directory, VerifyMemo.FileName)));
    }

    private const int SegmentHeaderSize = 64;

    private static Archive Build(TestArchives t, int commits)
    {
        var archive = t.Init(Small);
        for (var i = 0; i < commits; i++)
        {
            archive.Commit(SampleConversations.Create(i).Batch);
        }

        archive.WaitForIndexer();
        return archive;
    }

    /// <summary>Verifies with the memo (it must not be rejected), then with <c>--full</c>, each in a fresh open.</summary>
    private static (VerifyReport WithMemo, VerifyReport Full) VerifyTwice(TestArchives t)
    {
        VerifyReport withMemo;
        try
        {
            using var a = t.Open(o => Small(o) with { ReadOnly = true });
            withMemo = ArchiveVerifier.Verify(a);
            Assert.Equal("used", withMemo.MemoState);
        }
        catch (CorruptArchiveException e)
        {
            withMemo = new VerifyReport();
            withMemo.Faults.Add(e.Message);
        }

        VerifyReport full;
        try
        {
            using var b = t.Open(o => Small(o) with { ReadOnly = true });
            full = ArchiveVerifier.Verify(b, [], null, full: true);
        }
        catch (CorruptArchiveException e)
        {
            full = new VerifyReport();
            full.Faults.Add(e.Message);
        }

        return (withMemo, full);
    }
}

using Amber.Storage.Format;
using Amber.Storage.Verification;
using Amber.Testing;
using Amber.Transparency.Notes;
using Amber.Transparency.Receipts;
using TlogCheckpoint = Amber.Transparency.Checkpoints.Checkpoint;

namespace Amber.Storage.Tests;

public sealed class TransparencyLogTests
{
    [Fact]
    public async Task Commit_EachCommitIsOneEntryAndTheLatestCheckpointCoversIt()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using var archive = t.Init();
        for (var i = 0; i < 5; i++)
        {
            archive.Commit(SampleConversations.Create(i).Batch);
        }

        Assert.Equal(5, archive.Log.Size);
        Assert.Equal(1, archive.Log.LatestCheckpointSize); // the clock has not moved: later ones wait for the interval
        await archive.EnsureCheckpointAsync();
        var cp = TlogCheckpoint.Open(archive.Log.LatestCheckpoint!.ToBytes(), archive.Log.Verifier, archive.Log.Origin);
        Assert.True(cp.IsValid, cp.Failure);
        Assert.Equal(5, cp.Checkpoint!.Size);
        Assert.Equal(archive.Log.Root(5), cp.Checkpoint.RootHash.ToArray());
    }

    [Fact]
    public void Receipt_ForAnInstance_VerifiesOfflineWithOnlyTheVkeyAndNamesTheLeaf()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        string receiptText;
        string vkey;
        string leaf;
        using (var archive = t.Init())
        {
            for (var i = 0; i < 7; i++)
            {
                var (batch, _, leaves) = SampleConversations.Create(i);
                archive.Commit(batch);
                if (i == 3)
                {
                    leaf = leaves[1];
                }
            }

            leaf = SampleConversations.Create(3).Leaves[1];
            receiptText = archive.GetReceipt(leaf).Format();
            vkey = archive.Log.VerifierKey.ToString();
        }

        var receipt = TlogProof.Parse(receiptText);
        var result = receipt.Verify(new NoteVerifier(NoteVerifierKey.Parse(vkey)));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(3, receipt.Index);
        Assert.Contains(leaf, System.Text.Encoding.UTF8.GetString(receipt.Extra!.Value.Span), StringComparison.Ordinal);

        var tampered = receiptText.Replace("index 3", "index 2", StringComparison.Ordinal);
        Assert.False(TlogProof.Parse(tampered).Verify(new NoteVerifier(NoteVerifierKey.Parse(vkey))).IsValid);
    }

    [Fact]
    public void Verify_CheckpointSignatureForgedWithValidFrameChecksum_IsCaught()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(1).Batch);
        }

        // Rewrite the checkpoint frame's root and re-frame it with a correct CRC: only the signature can tell.
        var seg = t.ReadFile(t.SegmentPath(1));
        var pos = SegmentHeader.Size;
        while (seg[pos + 4] != (byte)FrameKind.Checkpoint)
        {
            pos += (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(seg.AsSpan(pos)) + 12;
        }

        var frame = seg.AsSpan(pos, (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(seg.AsSpan(pos)) + 12).ToArray();
        var note = System.Text.Encoding.UTF8.GetString(RecordFrame.Payload(frame)).Split('\n');
        note[2] = Convert.ToBase64String(new byte[32]);
        var forged = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', note));
        var reframed = RecordFrame.Encode(FrameKind.Checkpoint, Codec.None, 0, forged.Length, forged);
        Assert.Equal(frame.Length, reframed.Length);
        reframed.CopyTo(seg, pos);
        t.WriteFile(t.SegmentPath(1), seg);

        using var reopened = t.Open();
        var report = ArchiveVerifier.Verify(reopened);
        Assert.Contains(report.Faults, f => f.Contains("checkpoint does not verify", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_EntryRemovedFromTheMiddle_IsCaught()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using (var archive = t.Init())
        {
            for (var i = 0; i < 4; i++)
            {
                archive.Commit(SampleConversations.Create(i, branches: 1).Batch);
            }
        }

        // Cut the second commit frame out (a perfectly framed segment remains).
        var seg = t.ReadFile(t.SegmentPath(1)).ToList();
        var pos = SegmentHeader.Size;
        var commits = 0;
        while (true)
        {
            var len = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(seg.GetRange(pos, 4).ToArray()) + 12;
            if (seg[pos + 4] == (byte)FrameKind.Commit && ++commits == 2)
            {
                seg.RemoveRange(pos, len);
                break;
            }

            pos += len;
        }

        t.WriteFile(t.SegmentPath(1), [.. seg]);
        t.WriteFile(Path.Combine(t.Directory, "writer.chk"), new Format.Checkpoint(1, seg.Count).ToBytes());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(t.IndexPath);
        using var reopened = t.Open();
        var report = ArchiveVerifier.Verify(reopened);
        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.Contains("commit sequence 3 follows 1", StringComparison.Ordinal));
        Assert.Contains(report.Faults, f => f.Contains("checkpoint covers 4 entries, but only 3 precede it", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_HistoryRewrittenAndResignedWithTheSameKey_IsCaughtByAKeptCheckpoint()
    {
        using var original = new TestArchives(FileSystemKind.Local);
        string kept;
        using (var archive = original.Init())
        {
            for (var i = 0; i < 3; i++)
            {
                archive.Commit(SampleConversations.Create(i).Batch);
            }

            kept = archive.Log.LatestCheckpoint!.Format();
        }

        // Someone with the signing key builds a different history and signs it.
        using var forged = new TestArchives(FileSystemKind.Local);
        forged.Init().Dispose();
        foreach (var name in new[] { "signing.key", "vkey" })
        {
            File.Copy(Path.Combine(original.Directory, "log", name), Path.Combine(forged.Directory, "log", name), overwrite: true);
        }

        using var archiveB = forged.Open();
        for (var i = 10; i < 14; i++)
        {
            archiveB.Commit(SampleConversations.Create(i).Batch);
        }

        Assert.True(ArchiveVerifier.Verify(archiveB).Ok); // self-consistent on its own
        var report = ArchiveVerifier.Verify(archiveB, [kept]);
        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.Contains("history was rewritten", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_WriterCrashedBeforeCheckpoint_NextWriterSignsOne()
    {
        using var t = new TestArchives(FileSystemKind.InMemory);
        using (var archive = t.Init())
        {
            archive.Commit(SampleConversations.Create(1).Batch);
        }

        using var reopened = t.Open();
        Assert.Equal(1, reopened.Log.LatestCheckpointSize);
        reopened.Commit(SampleConversations.Create(2).Batch);
        Assert.Equal(2, reopened.Log.LatestCheckpointSize);
        Assert.True(ArchiveVerifier.Verify(reopened).Ok);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Init_MakesTheLogKeyPair_PrivateKeyReadableByTheOwnerOnly()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        using var archive = t.Init();
        var key = Path.Combine(t.Directory, "log", "signing.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.StartsWith("PRIVATE+KEY+" + archive.Log.Origin + "+", File.ReadAllText(key), StringComparison.Ordinal);
        Assert.Equal(archive.Log.VerifierKey.ToString(), File.ReadAllText(Path.Combine(t.Directory, "log", "vkey")).Trim());
    }
}

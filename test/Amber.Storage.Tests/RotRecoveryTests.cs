using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary>Damage the rot campaign (tools/Amber.Torture rot) found handled badly: each is named, or mended where it is derived.</summary>
public sealed class RotRecoveryTests
{
    [Fact]
    public void Open_IndexWithAZeroedPage_RebuildsItFromTheSegmentsAndSaysSo()
    {
        using var temp = new TempDirectory("amber-rot");
        var dir = Build(temp);
        var index = Path.Combine(dir, "index.db");
        var bytes = File.ReadAllBytes(index);
        Array.Clear(bytes, 0, 4096); // the SQLite header page: "file is not a database"
        File.WriteAllBytes(index, bytes);

        using var archive = Archive.Open(new ArchiveOptions { Directory = dir });

        Assert.Contains(archive.Recovery.Actions, a => a.Contains("index.db is damaged", StringComparison.Ordinal));
        var report = ArchiveVerifier.Verify(archive);
        Assert.True(report.Ok, string.Join("\n", report.Faults));
        Assert.Equal(6, archive.ListConversations(100).Count);
    }

    [Theory]
    [InlineData("log/vkey")]
    [InlineData("log/signing.key")]
    [InlineData("archive.json")]
    public void Open_DamagedKeyOrManifest_FailsNamingTheFile(string file)
    {
        using var temp = new TempDirectory("amber-rot");
        var dir = Build(temp);
        var path = Path.Combine(dir, file);
        File.WriteAllBytes(path, new byte[File.ReadAllBytes(path).Length]); // a zeroed page

        var e = Assert.Throws<CorruptArchiveException>(() => Archive.Open(new ArchiveOptions { Directory = dir }).Dispose());
        Assert.Contains(Path.GetFileName(file), e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Bit flips the rot campaign found verify missing or misnaming: a string of archive.json made invalid UTF-8 (an
    /// InvalidOperationException naming no file), and a key hash's hex letter turned upper case in log/vkey or
    /// log/signing.key (the key parsers accept it, and it names the same key).
    /// </summary>
    [Theory]
    [InlineData("archive.json")]
    [InlineData("log/vkey")]
    [InlineData("log/signing.key")]
    public void Open_AFlipTheParsersWouldForgive_FailsNamingTheFile(string file)
    {
        using var temp = new TempDirectory("amber-rot");
        for (var attempt = 0; ; attempt++)
        {
            var dir = Build(temp, $"archive-{attempt}");
            var path = Path.Combine(dir, file);
            var bytes = File.ReadAllBytes(path);
            int at;
            if (file == "archive.json")
            {
                at = System.Text.Encoding.UTF8.GetString(bytes).IndexOf("\"archive_id\":\"", StringComparison.Ordinal) + 14;
                bytes[at] = 0xFF; // no longer UTF-8
            }
            else
            {
                // The key hash: the field after the name (vkey: name+hash+key; signing.key: PRIVATE+KEY+name+hash+key).
                var fields = System.Text.Encoding.ASCII.GetString(bytes).Split('+');
                var field = file == "log/vkey" ? 1 : 3;
                var start = fields.Take(field).Sum(f => f.Length + 1);
                at = Enumerable.Range(start, fields[field].Length).FirstOrDefault(i => bytes[i] is >= (byte)'a' and <= (byte)'f', -1);
                if (at < 0 && attempt < 8)
                {
                    continue; // a key hash of digits only (one in 40): make another archive
                }

                Assert.True(at >= 0, "eight key hashes of digits only");
                bytes[at] ^= 0x20; // 'c' -> 'C': one bit, the same number in hex
            }

            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<CorruptArchiveException>(() => Archive.Open(new ArchiveOptions { Directory = dir }).Dispose());
            Assert.Contains(Path.GetFileName(file), e.Message, StringComparison.Ordinal);
            return;
        }
    }

    /// <summary>
    /// archive.json's <c>version</c> flipped from 3 to 2 (one bit; the rot campaign's last loss): verify as the CLI runs it
    /// (opened only to verify, after a verify left its memo) finds packed frames that format 2 cannot hold and names
    /// archive.json; a writer's open upgrades it back and says so, naming the file.
    /// </summary>
    [Fact]
    public void AVersionFlippedTo2_IsAFaultNamingArchiveJson_AndAWritersUpgradeNamesIt()
    {
        using var temp = new TempDirectory("amber-rot");
        var dir = Build(temp);
        using (var verifying = Archive.Open(new ArchiveOptions { Directory = dir, Verifying = true }))
        {
            Assert.True(ArchiveVerifier.Verify(verifying).Ok);
        }

        var path = Path.Combine(dir, "archive.json");
        var text = File.ReadAllText(path);
        Assert.Contains("\"version\":3", text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace("\"version\":3", "\"version\":2", StringComparison.Ordinal));

        using (var verifying = Archive.Open(new ArchiveOptions { Directory = dir, Verifying = true }))
        {
            var report = ArchiveVerifier.Verify(verifying);
            Assert.False(report.Ok);
            Assert.Contains(report.Faults, f => f.Contains("a packed frame", StringComparison.Ordinal) && f.Contains("archive.json", StringComparison.Ordinal));
        }

        using var writer = Archive.Open(new ArchiveOptions { Directory = dir });
        Assert.Contains(writer.Recovery.Actions, a => a.Contains("archive.json", StringComparison.Ordinal) && a.Contains("archive format 2 → 3", StringComparison.Ordinal));
        Assert.True(ArchiveVerifier.Verify(writer).Ok);
    }

    [Fact]
    public void Open_DamagedWriterCheckpoint_IsSaidInTheRecoveryReport()
    {
        using var temp = new TempDirectory("amber-rot");
        var dir = Build(temp);
        var path = Path.Combine(dir, "writer.chk");
        var bytes = File.ReadAllBytes(path);
        bytes[3] ^= 1;
        File.WriteAllBytes(path, bytes);

        using var archive = Archive.Open(new ArchiveOptions { Directory = dir });

        Assert.Contains(archive.Recovery.Actions, a => a.Contains("writer.chk is damaged", StringComparison.Ordinal));
        Assert.True(ArchiveVerifier.Verify(archive).Ok);
    }

    /// <summary>
    /// Whatever a damaged index does to an open (rebuilt, or refused), a writer's open that fails must not keep the
    /// archive's writer lock: a long-lived host would otherwise leave every later writer (`amber index rebuild` too)
    /// read-only. The rot campaign found it with a zeroed page at offset 8192 of index.db.
    /// </summary>
    [Theory]
    [InlineData(8192)]
    [InlineData(12288)]
    [InlineData(16384)]
    [InlineData(24576)]
    public void Open_IndexWithAZeroedPageInside_LeavesTheWriterLockFree(int offset)
    {
        using var temp = new TempDirectory("amber-rot");
        var dir = Build(temp);
        var index = Path.Combine(dir, "index.db");
        var bytes = File.ReadAllBytes(index);
        Assert.True(bytes.Length >= offset + 4096, $"index.db has {bytes.Length} bytes");
        Array.Clear(bytes, offset, 4096);
        File.WriteAllBytes(index, bytes);

        try
        {
            Archive.Open(new ArchiveOptions { Directory = dir }).Dispose();
        }
        catch (Exception e) when (e is CorruptArchiveException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            // Refusing is allowed; keeping the lock is not.
        }

        using var writer = Archive.Open(new ArchiveOptions { Directory = dir });
        Assert.False(writer.IsReadOnly, "the failed open left the writer lock held in this process");
        Assert.True(ArchiveVerifier.Verify(writer).Ok);
    }

    private static string Build(TempDirectory temp, string name = "archive")
    {
        var dir = temp.Combine(name);
        using (var archive = Archive.Open(new ArchiveOptions { Directory = dir, CreateIfMissing = true }))
        {
            for (var i = 0; i < 6; i++)
            {
                archive.Commit(SampleConversations.Create(i).Batch);
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // the index file is final once SQLite has closed it
        return dir;
    }
}

using Amber.Storage.FileSystem;
using Amber.Testing;

namespace Amber.Storage.Tests.Hardening;

/// <summary>
/// Issue 20, item 19: archive files used to follow the umask (0644 under 022: any local user read every
/// conversation). Every file and folder of an archive is now its owner's alone, from the moment it is created.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FileModeTests
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Item19_Init_EveryFileAndFolderOfTheArchive_IsOwnerOnly_WhileOpenAndAfter()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init(o => o with { IndexPath = null }))
        {
            var batch = SampleConversations.Create(1).Batch;
            batch.AddBlob(new byte[3 << 20]); // large enough for a blob file of its own
            archive.Commit(batch);
            await archive.EnsureCheckpointAsync();
            archive.WaitForIndexer();
            AssertOwnerOnly(t.Directory, expectIndexFiles: true);
        }

        AssertOwnerOnly(t.Directory, expectIndexFiles: false);
    }

    [Fact]
    public async Task Item19_OpenForWriting_AnArchiveOpenToOtherUsers_IsMadeOwnerOnly_AndSaysSo()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        using var t = new TestArchives(FileSystemKind.Local);
        await using (var archive = t.Init(o => o with { IndexPath = null }))
        {
            archive.Commit(SampleConversations.Create(1).Batch);
        }

        // What an archive written before this rule looks like under umask 022.
        foreach (var path in Directory.EnumerateFileSystemEntries(t.Directory, "*", SearchOption.AllDirectories).Append(t.Directory))
        {
            File.SetUnixFileMode(path, Directory.Exists(path) ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100);
        }

        await using (var reopened = t.Open(o => o with { IndexPath = null }))
        {
            Assert.Contains(reopened.Recovery.Actions, a => a.Contains("owner only", StringComparison.Ordinal));
        }

        AssertOwnerOnly(t.Directory, expectIndexFiles: false);
    }

    [Fact]
    public void Item19_OwnerOnlyCreate_TheModeIsSetBeforeAnyByteIsWritten()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        using var t = new TestArchives(FileSystemKind.Local);
        Directory.CreateDirectory(t.Directory);
        var path = Path.Combine(t.Directory, "secret");
        using var f = new FileStream(path, OwnerOnly.Create(FileMode.CreateNew, FileAccess.Write));
        Assert.Equal(0, f.Length);
        Assert.Equal(OwnerOnly.File, File.GetUnixFileMode(path));
    }

    private static void AssertOwnerOnly(string root, bool expectIndexFiles)
    {
        var entries = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root).ToList();
        Assert.Contains(entries, e => e.EndsWith("index.db", StringComparison.Ordinal));
        if (expectIndexFiles)
        {
            Assert.Contains(entries, e => e.Contains("blobs", StringComparison.Ordinal) && File.Exists(e));
            Assert.Contains(entries, e => e.EndsWith("index.db-wal", StringComparison.Ordinal));
        }

        foreach (var path in entries)
        {
            var mode = File.GetUnixFileMode(path);
            Assert.True((mode & GroupOrOther) == 0, $"{path} has mode {Convert.ToString((int)mode, 8)}");
        }
    }
}

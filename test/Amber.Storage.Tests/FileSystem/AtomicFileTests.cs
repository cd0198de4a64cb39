using System.Text.RegularExpressions;
using Amber.Storage.FileSystem;
using Amber.Storage.Index;
using Amber.Testing;

namespace Amber.Storage.Tests.FileSystem;

/// <summary><see cref="AtomicFile"/>, the one write-whole-or-not-at-all, and that every project uses it.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class AtomicFileTests
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public void Write_OverALeftoverTmpOpenToOthers_CreatesTheFileOwnerOnly()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        using var temp = new TempDirectory("amber-atomic");
        var path = temp.Combine("secret.key");
        File.WriteAllBytes(path + ".tmp", new byte[100]); // a crash's leftover, or a file planted with a wider mode
        File.SetUnixFileMode(path + ".tmp", (UnixFileMode)0b110_100_100);

        AtomicFile.Write(path, "new"u8);

        Assert.Equal("new"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(path) & GroupOrOther);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void IndexOpenMarker_OverALeftoverTmpOpenToOthers_IsOwnerOnly()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        using var temp = new TempDirectory("amber-atomic");
        var index = temp.Combine("index.db");
        var marker = IndexOpenMarker.PathOf(index);
        File.WriteAllBytes(marker + ".tmp", new byte[10]);
        File.SetUnixFileMode(marker + ".tmp", (UnixFileMode)0b110_110_110);

        IndexOpenMarker.Write(index, "boot-1");

        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(marker) & GroupOrOther);
        Assert.EndsWith("boot-1\n", File.ReadAllText(marker), StringComparison.Ordinal);
    }

    /// <summary>
    /// No project writes a file that must survive a crash by itself: writing whole files, and renaming over them, is
    /// <see cref="AtomicFile"/>'s. The exceptions are the file systems themselves and the index rebuild, which moves a
    /// finished SQLite database (SQLite made it durable) into place. (Removing leftover <c>.tmp</c> files is allowed anywhere.)
    /// </summary>
    [Fact]
    public void Sources_WriteWholeFilesOnlyThroughAtomicFile()
    {
        var src = Path.Combine(RepositoryRoot.Path, "src");
        string[] allowed =
        [
            Path.Combine("Amber.Storage", "FileSystem", "AtomicFile.cs"),
            Path.Combine("Amber.Storage", "FileSystem", "LocalFileSystem.cs"),
            Path.Combine("Amber.Storage", "Catalogue", "ArchiveCatalogue.cs"),
        ];
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(src, f))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !allowed.Contains(f))
            .SelectMany(f => File.ReadLines(Path.Combine(src, f)).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => OwnWholeFileWrite().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.Empty(offenders);
    }

    [GeneratedRegex(@"File\.(WriteAll(Bytes|Text|Lines)|AppendAll\w*|Move|Replace|Copy)\(|\+ *""\.tmp""")]
    private static partial Regex OwnWholeFileWrite();
}

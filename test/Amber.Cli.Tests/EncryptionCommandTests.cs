using System.Text.Json.Nodes;

namespace Amber.Cli.Tests;

/// <summary><c>amber init</c> makes encrypted archives unless told not to, and <c>stats</c> says which and names the key provider (issue 15, must-have 3).</summary>
public sealed class EncryptionCommandTests
{
    [Fact]
    public void Init_ByDefault_EncryptsAndStatsNamesTheKeyProvider()
    {
        using var cli = new CliRunner();
        var (exit, output, err) = cli.Run("init");
        Assert.True(exit == 0, err);
        Assert.Contains("Encryption at rest is on", output, StringComparison.Ordinal);
        cli.Seed(1);

        var stats = JsonNode.Parse(cli.Run("stats", "--json").Out)!["encryption"]!;
        Assert.True(stats["enabled"]!.GetValue<bool>());
        Assert.Equal("file", stats["provider"]!.GetValue<string>());
        Assert.Equal("file:" + cli.KeysDir, stats["key_provider"]!.GetValue<string>());
        var text = cli.Run("stats").Out;
        Assert.Contains("on (AES-256-GCM", text, StringComparison.Ordinal);

        // The tenant key file was made owner-only by the open that created it, outside the archive folder.
        var keyFile = Path.Combine(cli.KeysDir, "default.keys");
        Assert.True(File.Exists(keyFile));
        Assert.False(Directory.EnumerateFiles(cli.ArchiveDir, "*.keys", SearchOption.AllDirectories).Any());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }
    }

    [Fact]
    public void Init_NoEncryption_StatsSaysOff()
    {
        using var cli = new CliRunner();
        var (exit, output, err) = cli.Run("init", "--no-encryption");
        Assert.True(exit == 0, err);
        Assert.Contains("Encryption at rest is off", output, StringComparison.Ordinal);
        var stats = JsonNode.Parse(cli.Run("stats", "--json").Out)!["encryption"]!;
        Assert.False(stats["enabled"]!.GetValue<bool>());
        Assert.Contains("encryption", cli.Run("stats").Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cli.ArchiveDir, "keys.db")));
    }
}

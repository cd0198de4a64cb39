using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>
/// <c>amber init</c>, and <c>import</c>, <c>serve</c> and <c>proxy</c> where they make the archive, make encrypted
/// archives unless told not to (<c>--no-encryption</c>), and <c>stats</c> says which and names the key provider (issue 15, must-have 3).
/// </summary>
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

    [Fact]
    public void Import_WithNoArchiveYet_MakesAnEncryptedOne_UnlessToldNoEncryption()
    {
        var file = SharedData.PathTo(Path.Combine("corpus", "chatgpt-export-chatgpt2graph", "conversations.json"));
        if (file is null)
        {
            Assert.Skip(SharedData.MissingMessage);
        }

        using (var cli = new CliRunner())
        {
            var (exit, _, err) = cli.Run("import", file!, "--json");
            Assert.True(exit == 0, err);
            Assert.True(JsonNode.Parse(cli.Run("stats", "--json").Out)!["encryption"]!["enabled"]!.GetValue<bool>());
            Assert.True(File.Exists(Path.Combine(cli.ArchiveDir, "keys.db")));
            Assert.True(File.Exists(Path.Combine(cli.KeysDir, "default.keys")));
            var listed = cli.Run("ls", "--json").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Contains(listed, c => c["title"]?.GetValue<string>() is { Length: > 0 }); // titles decrypted from the index
        }

        using (var cli = new CliRunner())
        {
            var (exit, _, err) = cli.Run("import", file!, "--no-encryption", "--json");
            Assert.True(exit == 0, err);
            Assert.False(JsonNode.Parse(cli.Run("stats", "--json").Out)!["encryption"]!["enabled"]!.GetValue<bool>());
            Assert.False(File.Exists(Path.Combine(cli.ArchiveDir, "keys.db")));
        }
    }

    [Fact]
    public void Import_IntoAnArchiveInTheClear_KeepsItInTheClear()
    {
        using var cli = new CliRunner();
        Assert.Equal(0, cli.Run("init", "--no-encryption").Exit);
        cli.Seed(1);
        Assert.False(JsonNode.Parse(cli.Run("stats", "--json").Out)!["encryption"]!["enabled"]!.GetValue<bool>());
        Assert.False(File.Exists(Path.Combine(cli.ArchiveDir, "keys.db")));
    }

    [Fact]
    public async Task Writing_WithAKeyFolderThatLacksAKnownTenantsKey_IsRefused_AndMakesNoSecondTenantKey()
    {
        var export = SharedData.PathTo(Path.Combine("corpus", "claude-export-simonw"));
        Assert.SkipWhen(export is null, SharedData.MissingMessage);
        using var cli = new CliRunner();
        cli.Init(encrypted: true);
        cli.Seed(1); // tenant "default" has a data key in keys.db, wrapped under the key in cli.KeysDir

        var elsewhere = cli.Combine("other-keys");
        var variables = new Dictionary<string, string?>(cli.Environment, StringComparer.Ordinal) { ["AMBER_KEYS_DIR"] = elsewhere };
        var error = new StringWriter();
        var exit = await AmberCli.RunAsync(["--archive", cli.ArchiveDir, "import", export!], TextWriter.Null, error, variables, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.Contains("holds data keys of tenant 'default', but the key provider", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(elsewhere, "default.keys"))); // no second version 1 of the tenant's key
        Assert.Single(cli.Run("ls", "--json").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // nothing of the import was committed
    }

    [Fact]
    public async Task TheEncryptionSetting_Off_MakesArchivesInTheClear_FromTheEnvironmentOrASettingsFile()
    {
        using var cli = new CliRunner();
        var variables = new Dictionary<string, string?>(cli.Environment, StringComparer.Ordinal) { ["AMBER_ENCRYPTION"] = "off" };
        var output = new StringWriter();
        Assert.Equal(0, await AmberCli.RunAsync(["--archive", cli.ArchiveDir, "init"], output, TextWriter.Null, variables, TestContext.Current.CancellationToken));
        Assert.Contains("Encryption at rest is off (env", output.ToString(), StringComparison.Ordinal);
        Assert.False(JsonNode.Parse(cli.Run("stats", "--json").Out)!["encryption"]!["enabled"]!.GetValue<bool>());

        // A settings file given with --config: an archive import makes is in the clear too.
        var config = cli.Combine("settings.json");
        await File.WriteAllTextAsync(config, """{"Encryption": "off"}""", TestContext.Current.CancellationToken);
        var second = cli.Combine("second");
        Assert.Equal(0, await AmberCli.RunAsync(["--config", config, "--archive", second, "import", SampleExport()], TextWriter.Null, TextWriter.Null, cli.Environment, TestContext.Current.CancellationToken));
        Assert.False(File.Exists(Path.Combine(second, "keys.db")));

        // The flag still wins over a setting that says on.
        variables["AMBER_ENCRYPTION"] = "on";
        var third = cli.Combine("third");
        Assert.Equal(0, await AmberCli.RunAsync(["--archive", third, "init", "--no-encryption"], TextWriter.Null, TextWriter.Null, variables, TestContext.Current.CancellationToken));
        Assert.False(File.Exists(Path.Combine(third, "keys.db")));
    }

    [Fact]
    public async Task TheEncryptionSetting_NeitherOnNorOff_IsRefused_NamingWhereItCameFrom()
    {
        using var cli = new CliRunner();
        var variables = new Dictionary<string, string?>(cli.Environment, StringComparer.Ordinal) { ["AMBER_ENCRYPTION"] = "maybe" };
        var error = new StringWriter();
        var exit = await AmberCli.RunAsync(["--archive", cli.ArchiveDir, "init"], TextWriter.Null, error, variables, TestContext.Current.CancellationToken);
        Assert.NotEqual(0, exit);
        Assert.Contains("Encryption (env", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"maybe\" is neither on nor off", error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(cli.ArchiveDir, "segments")));
    }

    private static string SampleExport()
    {
        var export = SharedData.PathTo(Path.Combine("corpus", "claude-export-simonw"));
        Assert.SkipWhen(export is null || !Directory.Exists(export), SharedData.MissingMessage);
        return export!;
    }
}

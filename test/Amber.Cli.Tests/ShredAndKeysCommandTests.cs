using System.Text.Json.Nodes;

namespace Amber.Cli.Tests;

/// <summary><c>amber shred</c> and <c>amber keys rotate</c> on an archive made by <c>amber init</c> (issue 15, must-haves 4 and 6).</summary>
public sealed class ShredAndKeysCommandTests
{
    [Fact]
    public void Shred_Conversation_ShowSaysShredded_VerifyPasses_OthersStillShow()
    {
        using var cli = new CliRunner();
        Assert.Equal(0, cli.Run("init").Exit);
        var seeded = cli.Seed(2);
        var (exit, output, err) = cli.Run("shred", seeded[0].Conversation, "--reason", "asked to be forgotten", "--json");
        Assert.True(exit == 0, err);
        var result = JsonNode.Parse(output)!;
        Assert.Equal(seeded[0].Conversation, result["shredded"]![0]!.GetValue<string>());
        Assert.Equal(3, result["tombstone_seq"]!.GetValue<long>());

        var show = cli.Run("show", seeded[0].Conversation);
        Assert.NotEqual(0, show.Exit);
        Assert.Contains("is shredded", show.Err, StringComparison.Ordinal);
        Assert.Equal(0, cli.Run("show", seeded[1].Conversation).Exit);
        var verify = cli.Run("verify");
        Assert.True(verify.Exit == 0, verify.Out + verify.Err);

        var again = cli.Run("shred", seeded[0].Conversation, "--reason", "again");
        Assert.NotEqual(0, again.Exit);
        Assert.Contains("already shredded", again.Err, StringComparison.Ordinal);
        Assert.NotEqual(0, cli.Run("shred", "sha256:" + new string('0', 64), "--reason", "x").Exit);
    }

    [Fact]
    public void Shred_WithoutEncryption_FailsClearly()
    {
        using var cli = new CliRunner();
        Assert.Equal(0, cli.Run("init", "--no-encryption").Exit);
        var seeded = cli.Seed(1);
        var (exit, _, err) = cli.Run("shred", seeded[0].Conversation, "--reason", "why");
        Assert.NotEqual(0, exit);
        Assert.Contains("not encrypted", err, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysRotate_RewrapsEveryDataKey_RetiresTheOldVersion_AndContentStillReads()
    {
        using var cli = new CliRunner();
        Assert.Equal(0, cli.Run("init").Exit);
        var seeded = cli.Seed(3);
        var (exit, output, err) = cli.Run("keys", "rotate", "--json");
        Assert.True(exit == 0, err);
        var rotated = JsonNode.Parse(output)!["rotated"]![0]!;
        Assert.Equal("default", rotated["tenant"]!.GetValue<string>());
        Assert.Equal(2, rotated["version"]!.GetValue<int>());
        Assert.Equal(3, rotated["rewrapped"]!.GetValue<int>());

        var keyFile = File.ReadAllText(Path.Combine(cli.KeysDir, "default.keys"));
        Assert.DoesNotContain("key 1 ", keyFile, StringComparison.Ordinal); // version 1 is destroyed
        Assert.Contains("key 2 ", keyFile, StringComparison.Ordinal);
        foreach (var s in seeded)
        {
            Assert.Equal(0, cli.Run("show", s.Conversation).Exit);
        }

        var verify = cli.Run("verify");
        Assert.True(verify.Exit == 0, verify.Out + verify.Err);
    }
}

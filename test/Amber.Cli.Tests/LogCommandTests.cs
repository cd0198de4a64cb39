using System.Text.Json.Nodes;

namespace Amber.Cli.Tests;

public sealed class LogCommandTests
{
    [Fact]
    public void LogProof_ThenVerifyReceiptOffline_WithOnlyTheVkey()
    {
        using var cli = new CliRunner();
        var seeded = cli.Seed(4);
        var vkey = cli.Run("log", "vkey").Out.Trim();
        Assert.Matches(@"^amber\.archive/[0-9a-f]{16}\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$", vkey);
        var receipt = cli.Combine("r.tlog-proof");
        Assert.Equal(0, cli.Run("log", "proof", seeded[2].Leaves[0], "-o", receipt).Exit);
        Assert.StartsWith("c2sp.org/tlog-proof@v1\n", File.ReadAllText(receipt), StringComparison.Ordinal);

        // No archive needed: a folder that holds none.
        var offline = new CliRunner();
        var (exit, output, err) = offline.Run("log", "verify-receipt", receipt, "--vkey", vkey, "--json");
        Assert.True(exit == 0, err);
        Assert.True(JsonNode.Parse(output)!["ok"]!.GetValue<bool>());
        Assert.Equal(seeded[2].Conversation, JsonNode.Parse(output)!["entry"]!["conversations"]![0]!["id"]!.GetValue<string>());

        Assert.Equal(0, offline.Run("log", "verify-receipt", receipt, "--vkey", vkey, "--id", seeded[2].Leaves[0]).Exit);
        Assert.Equal(1, offline.Run("log", "verify-receipt", receipt, "--vkey", vkey, "--id", seeded[1].Leaves[0]).Exit);
        var text = File.ReadAllText(receipt);
        File.WriteAllText(receipt, text.Replace("index 2", "index 1", StringComparison.Ordinal));
        Assert.Equal(1, offline.Run("log", "verify-receipt", receipt, "--vkey", vkey).Exit);
        offline.Dispose();
    }

    [Fact]
    public void LogConsistency_FromAnOlderCheckpoint_PrintsAndVerifiesTheProof()
    {
        using var cli = new CliRunner();
        cli.Seed(3);
        var old = cli.Combine("old.checkpoint");
        var checkpoint = cli.Run("log", "checkpoint").Out;
        Assert.StartsWith("amber.archive/", checkpoint, StringComparison.Ordinal);
        Assert.Contains("\n3\n", checkpoint, StringComparison.Ordinal);
        File.WriteAllText(old, checkpoint);
        using (var archive = Amber.Storage.Archive.Open(new Amber.Storage.ArchiveOptions { Directory = cli.ArchiveDir }))
        {
            for (var i = 100; i < 105; i++)
            {
                archive.Commit(Amber.Testing.SampleConversations.Create(i).Batch);
            }
        }

        var proof = cli.Run("log", "consistency", "--old", old);
        Assert.Equal(0, proof.Exit);
        Assert.All(proof.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Equal(32, Convert.FromBase64String(l).Length));
        var check = cli.Run("log", "consistency", "--old", old, "--verify");
        Assert.Equal(0, check.Exit);
        Assert.Contains("extends the checkpoint at size 3", check.Out, StringComparison.Ordinal);
        Assert.Equal(0, cli.Run("verify", "--checkpoint", old).Exit);
    }
}

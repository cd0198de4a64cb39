using System.Security.Cryptography;
using Amber.Core.Crypto;

namespace Amber.Cli.Tests;

/// <summary>
/// Revive, replay, thaw, compare and export say "sealed" or "shredded" in their own words, exit 1, before they start
/// (no model is looked for, no bag folder is made) when what they are given lies in a sealed or shredded conversation
/// (issue 15, must-have 5).
/// </summary>
public sealed class LockedContentCommandTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "revive", "sealed" }, { "revive", "shredded" },
        { "replay", "sealed" }, { "replay", "shredded" },
        { "thaw", "sealed" }, { "thaw", "shredded" },
        { "compare", "sealed" }, { "compare", "shredded" },
        { "export", "sealed" }, { "export", "shredded" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Command_OnALockedConversation_SaysSoBeforeItStarts(string command, string state)
    {
        using var cli = new CliRunner();
        cli.Init(encrypted: true);
        var seeded = cli.Seed(1);
        var (conversation, leaves, _) = seeded[0];
        if (state == "sealed")
        {
            using var random = RandomNumberGenerator.Create();
            var trustees = new[] { "alice", "bob" }.Select(n => TrusteeKeyPair.Create(n, random).Trustee).ToList();
            var file = cli.Combine("trustees.txt");
            File.WriteAllText(file, TrusteesFile.Format(trustees));
            var (sealedExit, _, sealErr) = cli.Run("seal", conversation, "--trustees", file, "--threshold", "2", "--reason", "legal hold");
            Assert.True(sealedExit == 0, sealErr);
        }
        else
        {
            var (shredExit, _, shredErr) = cli.Run("shred", conversation, "--reason", "asked to be forgotten");
            Assert.True(shredExit == 0, shredErr);
        }

        // A sealed conversation's instance is still in the index; a shredded one is named by its conversation id.
        var id = state == "sealed" ? leaves[0] : conversation;
        var missingModel = cli.Combine("no-such-model.gguf");
        var bag = cli.Combine("bag");
        string[] args = command switch
        {
            "revive" => ["revive", id, "-m", "local:" + missingModel, "--message", "hi", "--no-notice"],
            "replay" => ["replay", id, "--models", cli.Combine("no-models")],
            "thaw" => ["thaw", id, "--models", cli.Combine("no-models"), "--message", "hi"],
            "compare" => ["compare", id, "-m", "local:" + missingModel],
            _ => ["export", "--bagit", bag],
        };

        var (exit, output, err) = cli.Run(args);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        var expected = command == "export" ? "amber: cannot export a bag: " : $"amber: cannot {command} {id}: ";
        Assert.StartsWith(expected + $"conversation {conversation} is {state}", err, StringComparison.Ordinal);
        Assert.DoesNotContain("no-such-model", err, StringComparison.Ordinal); // refused before any model is looked for
        Assert.False(Directory.Exists(bag));
    }
}

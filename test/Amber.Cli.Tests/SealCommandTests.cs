using System.Security.Cryptography;
using Amber.Core.Crypto;

namespace Amber.Cli.Tests;

/// <summary><c>amber seal</c> / <c>amber unseal</c> (issue 15 must-have 5): show says sealed, K−1 keys fail clearly, a wrong key is named, K keys open it.</summary>
public sealed class SealCommandTests
{
    [Fact]
    public void SealThenUnseal_TwoOfThree()
    {
        using var cli = new CliRunner();
        Assert.Equal(0, cli.Run("init").Exit);
        var seeded = cli.Seed(1);
        var cid = seeded[0].Conversation;
        using var random = RandomNumberGenerator.Create();
        var trustees = new[] { "alice", "bob", "carol" }.Select(n => TrusteeKeyPair.Create(n, random)).ToList();
        var trusteesFile = cli.Combine("trustees.txt");
        File.WriteAllText(trusteesFile, TrusteesFile.Format(trustees.Select(t => t.Trustee)));
        var keyFiles = trustees.Select(t =>
        {
            var path = cli.Combine(t.Trustee.Name + ".key");
            File.WriteAllText(path, t.FormatPrivateKey());
            return path;
        }).ToList();
        var stranger = cli.Combine("mallory.key");
        File.WriteAllText(stranger, TrusteeKeyPair.Create("mallory", random).FormatPrivateKey());

        var (exit, output, err) = cli.Run("seal", cid, "--trustees", trusteesFile, "--threshold", "2", "--reason", "legal hold");
        Assert.True(exit == 0, err);
        Assert.Contains("Sealed conversation", output, StringComparison.Ordinal);
        var show = cli.Run("show", cid);
        Assert.NotEqual(0, show.Exit);
        Assert.Contains("is sealed", show.Err, StringComparison.Ordinal);

        var few = cli.Run("unseal", cid, "--trustee-key", keyFiles[0]);
        Assert.NotEqual(0, few.Exit);
        Assert.Contains("1 more are needed", few.Err, StringComparison.Ordinal);
        var wrong = cli.Run("unseal", cid, "--trustee-key", keyFiles[0], "--trustee-key", stranger);
        Assert.NotEqual(0, wrong.Exit);
        Assert.Contains("mallory", wrong.Err, StringComparison.Ordinal);

        var open = cli.Run("unseal", cid, "--trustee-key", keyFiles[1], "--trustee-key", keyFiles[2]);
        Assert.True(open.Exit == 0, open.Err);
        Assert.Equal(0, cli.Run("show", cid).Exit);
    }
}

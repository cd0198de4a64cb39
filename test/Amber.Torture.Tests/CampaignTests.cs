using Amber.Testing;

namespace Amber.Torture.Tests;

/// <summary>
/// CI's short version of every campaign in tools/Amber.Torture (docs/RELIABILITY.md): a few trials each, real amber
/// processes killed with SIGKILL, a real tmpfs filled up, real files rotted. Each must end with zero losses.
/// </summary>
public sealed class CampaignTests
{
    [Theory]
    [InlineData("kill-import", 3)]
    [InlineData("kill-annotate", 3)]
    [InlineData("kill-rebuild", 3)]
    [InlineData("kill-recovery", 2)]
    [InlineData("full-disk", 2)]
    [InlineData("full-disk-gateway", 2)]
    [InlineData("rot", 12)]
    [InlineData("kill-gateway", 2)]
    [InlineData("kill-local", 2)]
    [InlineData("kill-revive", 2)]
    public void Campaign_ShortRun_LosesNothing(string campaign, int trials)
    {
        if (campaign.StartsWith("full-disk", StringComparison.Ordinal))
        {
            Assert.SkipUnless(Environment.UserName == "root", "full-disk mounts a small tmpfs, which needs root (CI runs as root)");
        }

        using var temp = new TempDirectory("amber-torture");
        var tally = Campaigns.All[campaign].Run(new CampaignSettings(trials, Minutes: 2, Seed: 18, temp.Path));

        var text = new StringWriter();
        tally.Print(text);
        TestContext.Current.TestOutputHelper?.WriteLine(text.ToString());
        Assert.True(tally.Ok, text.ToString());
        Assert.Equal(trials, tally.Trials);
        if (campaign.StartsWith("kill-", StringComparison.Ordinal))
        {
            Assert.True(tally.Kills > 0, $"no SIGKILL landed mid-run: {text}");
        }
        else
        {
            Assert.True(tally.Detected > 0, $"no fault was found to detect: {text}");
        }
    }

    [Fact]
    public void ReviveAnswers_AreReadFromTheTextOutput_IncludingMultiLineAndCutOnes()
    {
        var output = "amber: reviving cb7c6441cccd on stories260K (local /m/stories260K.gguf); each turn is recorded as it completes.\n"
            + "stories260K › \" said Lily.\n\"One\n"
            + "stories260K ›  All you can\n"
            + "amber: revived instance is sha256:67fa.\n";
        Assert.Equal(["\" said Lily.\n\"One", " All you can"], ReviveKillCampaign.Answers(output, "stories260K"));
        Assert.Equal(["cut he"], ReviveKillCampaign.Answers("amber: reviving x\nstories260K › cut he\n", "stories260K"));
        Assert.Empty(ReviveKillCampaign.Answers("amber: reviving x\n", "stories260K"));
    }

    [Fact]
    public void Rot_Mutations_ChangeWhatTheySay()
    {
        var rng = new Random(1);
        var bytes = new byte[10_000];
        rng.NextBytes(bytes);

        var (flipped, at) = RotCampaign.Mutate(bytes, RotCampaign.Mutation.BitFlip, rng);
        Assert.Equal(1, System.Numerics.BitOperations.PopCount((uint)(flipped[at] ^ bytes[at])));
        Assert.Equal(bytes.Length - 1, bytes.Zip(flipped).Count(p => p.First == p.Second));

        var (cut, length) = RotCampaign.Mutate(bytes, RotCampaign.Mutation.Truncate, rng);
        Assert.Equal(length, cut.Length);
        Assert.True(cut.Length < bytes.Length);

        var (zeroed, page) = RotCampaign.Mutate(bytes, RotCampaign.Mutation.ZeroPage, rng);
        Assert.Equal(0, page % 4096);
        Assert.All(zeroed[(int)page..(int)Math.Min(page + 4096, bytes.Length)], b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData("segments/seg-000001.amb", "segment")]
    [InlineData("blobs/ab/cdef.zst", "blob")]
    [InlineData("log/vkey", "key")]
    [InlineData("log/signing.key", "key")]
    [InlineData("writer.chk", "checkpoint")]
    [InlineData("archive.json", "manifest")]
    [InlineData("index.db", "index")]
    [InlineData("amber.lock", null)]
    [InlineData("verify.memo", null)]
    public void Rot_FileKinds_CoverTheArchive(string file, string? kind) => Assert.Equal(kind, RotCampaign.KindOf(file));

    [Fact]
    public void ServerAudit_AnAcknowledgedAnswerMissing_IsALoss()
    {
        using var temp = new TempDirectory("amber-torture");
        var dir = Path.Combine(temp.Path, "archive");
        using (Amber.Storage.Archive.Open(new Amber.Storage.ArchiveOptions { Directory = dir, CreateIfMissing = true }))
        {
        }

        var tally = new Tally("kill-gateway");
        ServerKillCampaigns.Audit(dir, [GatewayCall.Read(GatewayCall.OpenAiChat, stream: true, "hello", "inst_00000000000000000000000000", "an answer")], freeze: false, tally, trial: 0);

        Assert.Contains(tally.Losses, l => l.Contains("acknowledged answer inst_00000000000000000000000000", StringComparison.Ordinal) && l.Contains("is missing", StringComparison.Ordinal));
    }
}

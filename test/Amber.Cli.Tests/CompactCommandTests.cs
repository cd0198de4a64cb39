using System.Text.Json.Nodes;
using Amber.Storage;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary><c>amber compact</c> re-encodes the sealed segments (commits merged), once per level, and the archive still verifies and reads.</summary>
public sealed class CompactCommandTests
{
    [Fact]
    public void Compact_ArchiveWithSealedSegments_RewritesThemSmallerOnceAndTheArchiveVerifies()
    {
        using var cli = new CliRunner();
        var ids = new List<string>();
        using (var archive = Archive.Open(new ArchiveOptions { Directory = cli.ArchiveDir, CreateIfMissing = true, SegmentSize = 8 << 10, CompressionLevel = 1 }))
        {
            for (var i = 0; i < 20; i++)
            {
                var (batch, id, _) = SampleConversations.Create(i, turns: 6);
                archive.Commit(batch);
                ids.Add(id);
            }
        }

        var shown = cli.Run("show", ids[0], "--json").Out;
        var raw = cli.Run("show", ids[0], "--raw").Out;
        var (exit, output, error) = cli.Run("compact", "--json");

        Assert.True(exit == 0, error);
        var report = JsonNode.Parse(output)!;
        Assert.True(report["segments_rewritten"]!.GetValue<int>() >= 3, output);
        Assert.True(report["bytes_after"]!.GetValue<long>() < report["bytes_before"]!.GetValue<long>(), output);
        Assert.Equal(19, report["level"]!.GetValue<int>());
        Assert.Equal(0, cli.Run("verify").Exit);
        Assert.Equal(shown, cli.Run("show", ids[0], "--json").Out);

        // Merged frames (record-frame.md §4a) read through the same path for the raw bytes and the bag's commits.
        Assert.Equal(raw, cli.Run("show", ids[0], "--raw").Out);
        var (bagExit, _, bagError) = cli.Run("export", "--bagit", cli.Combine("bag"));
        Assert.True(bagExit == 0, bagError);

        var again = cli.Run("compact");
        Assert.Equal(0, again.Exit);
        Assert.Contains("Nothing to compact", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Compact_LevelOutsideZstdsRange_IsAUsageError()
    {
        using var cli = new CliRunner();
        cli.Seed(1);

        var (exit, _, error) = cli.Run("compact", "--level", "23");

        Assert.Equal(2, exit);
        Assert.Contains("--level 23", error, StringComparison.Ordinal);
    }
}

using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;
using Amber.Transparency.Tests.Notes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Transparency.Tests.Checkpoints;

/// <summary>The c2sp.org/tlog-checkpoint body: strict parsing, exact formatting, signing and opening.</summary>
public sealed class CheckpointTests
{
    private static readonly string Root = Convert.ToBase64String(MerkleHash.HashLeaf("x"u8));

    private static readonly Gen<string> Line = Gen.Elements("example.com/log", "go.sum database tree", "a", "ünïcode/λ", "x+y", "— dash");

    private static readonly Gen<Checkpoint> Checkpoints =
        from origin in Line
        from size in Gen.Choose(0, int.MaxValue).Select(n => (long)n * 3)
        from root in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), MerkleHash.Size)
        from extensions in Gen.ListOf(Line, 3)
        select new Checkpoint(origin, size, root, extensions);

    [Property(MaxTest = 300)]
    public Property ParseToNoteText_RandomCheckpoint_RoundTrips()
        => Prop.ForAll(Checkpoints.ToArbitrary(), checkpoint =>
        {
            var text = checkpoint.ToNoteText();
            var parsed = Checkpoint.Parse(text);

            Assert.Equal(checkpoint.Origin, parsed.Origin);
            Assert.Equal(checkpoint.Size, parsed.Size);
            Assert.Equal(checkpoint.RootHash.ToArray(), parsed.RootHash.ToArray());
            Assert.Equal(checkpoint.Extensions, parsed.Extensions);
            Assert.Equal(text, parsed.ToNoteText());
        });

    [Property(MaxTest = 100)]
    public Property Open_SignedRandomCheckpoint_Verifies()
        => Prop.ForAll(Checkpoints.ToArbitrary(), checkpoint =>
        {
            using var signer = TestKeys.Signer("example.com/log");
            var note = checkpoint.Sign(signer);

            var result = Checkpoint.Open(note.ToBytes(), new NoteVerifier(signer.VerifierKey));

            Assert.True(result.IsValid, result.Failure);
            Assert.Equal(checkpoint.ToNoteText(), result.Checkpoint!.ToNoteText());
        });

    [Fact]
    public void ToNoteText_Checkpoint_HasExactLayout()
    {
        var checkpoint = new Checkpoint("example.com/log", 70000, MerkleHash.HashLeaf("x"u8), ["ext one"]);

        Assert.Equal($"example.com/log\n70000\n{Root}\next one\n", checkpoint.ToNoteText());
    }

    [Fact]
    public void Parse_EmptyTree_AcceptsSizeZero()
    {
        var checkpoint = Checkpoint.Parse($"example.com/log\n0\n{Convert.ToBase64String(MerkleHash.EmptyRoot)}\n");

        Assert.Equal(0, checkpoint.Size);
        Assert.Equal(MerkleHash.EmptyRoot, checkpoint.RootHash.ToArray());
    }

    [Theory]
    [InlineData("example.com/log\n5\n{root}", "end with a newline")]
    [InlineData("example.com/log\n5\n", "at least three lines")]
    [InlineData("\n5\n{root}\n", "origin is empty")]
    [InlineData("example.com/log\n05\n{root}\n", "tree size")]
    [InlineData("example.com/log\n-5\n{root}\n", "tree size")]
    [InlineData("example.com/log\n+5\n{root}\n", "tree size")]
    [InlineData("example.com/log\n 5\n{root}\n", "tree size")]
    [InlineData("example.com/log\n99999999999999999999\n{root}\n", "tree size")]
    [InlineData("example.com/log\n5\nAAAA\n", "root hash")]
    [InlineData("example.com/log\n5\n{root}x\n", "root hash")]
    [InlineData("example.com/log\n5\n{root}\n\n", "extension line 1 is empty")]
    [InlineData("example.com/log\n5\n{root}\nok\n\nafter\n", "extension line 2 is empty")]
    [InlineData("example.com/log\n5\n{root}\ntab\there\n", "Control character")]
    public void TryParse_Malformed_ReportsWhy(string text, string reason)
    {
        Assert.False(Checkpoint.TryParse(text.Replace("{root}", Root, StringComparison.Ordinal), out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_OtherOrigin_IsRejected()
    {
        using var signer = TestKeys.Signer("example.com/log");
        var note = new Checkpoint("example.com/log", 1, MerkleHash.HashLeaf("x"u8)).Sign(signer);

        var result = Checkpoint.Verify(note, new NoteVerifier(signer.VerifierKey), expectedOrigin: "example.com/other");

        Assert.False(result.IsValid);
        Assert.Contains("example.com/other", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SignedNoteThatIsNotACheckpoint_IsRejected()
    {
        using var signer = TestKeys.Signer("example.com/log");

        var result = Checkpoint.Open(signer.SignNote("just a message\n").Format(), new NoteVerifier(signer.VerifierKey));

        Assert.False(result.IsValid);
        Assert.Contains("not a checkpoint", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => new Checkpoint("", 1, MerkleHash.EmptyRoot));
        Assert.Throws<ArgumentException>(() => new Checkpoint("a\nb", 1, MerkleHash.EmptyRoot));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Checkpoint("a", -1, MerkleHash.EmptyRoot));
        Assert.Throws<ArgumentException>(() => new Checkpoint("a", 1, new byte[31]));
        Assert.Throws<ArgumentException>(() => new Checkpoint("a", 1, MerkleHash.EmptyRoot, [""]));
    }
}

using System.Text;
using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;
using Amber.Transparency.Receipts;
using Amber.Transparency.Tests.Notes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Transparency.Tests.Receipts;

/// <summary>c2sp.org/tlog-proof@v1 receipts: exact layout, round trips and offline verification.</summary>
public sealed class TlogProofTests
{
    private const string Origin = "example.com/amber-log";

    private static readonly Gen<(int Size, int Index)> LeafInTree =
        Gen.Choose(1, 300).SelectMany(size => Gen.Choose(0, size - 1).Select(index => (size, index)));

    [Property(MaxTest = 200)]
    public Property FormatParse_RandomReceipt_RoundTripsAndVerifies()
        => Prop.ForAll(LeafInTree.ToArbitrary(), c =>
        {
            using var log = TestKeys.Signer(Origin);
            var (tree, entries) = Build(c.Size);
            var receipt = TlogProof.Create(tree, c.Index, Sign(tree, log), entries[c.Index]);

            var text = receipt.Format();
            var parsed = TlogProof.Parse(Encoding.UTF8.GetBytes(text));

            Assert.Equal(text, parsed.Format());
            Assert.Equal(c.Index, parsed.Index);
            Assert.Equal(entries[c.Index], parsed.Extra!.Value.ToArray());
            var result = parsed.Verify(new NoteVerifier(log.VerifierKey), Origin);
            Assert.True(result.IsValid, result.Failure);
            Assert.Equal(c.Size, result.Checkpoint!.Size);
        });

    [Fact]
    public void Format_Receipt_FollowsTheSpecLayout()
    {
        using var log = TestKeys.Signer(Origin);
        var (tree, entries) = Build(5);
        var checkpoint = Sign(tree, log);

        var receipt = TlogProof.Create(tree, 2, checkpoint, entries[2]);

        var proof = tree.GetInclusionProof(2, 5).Select(Convert.ToBase64String);
        var expected = "c2sp.org/tlog-proof@v1\n"
            + "extra " + Convert.ToBase64String(entries[2]) + "\n"
            + "index 2\n"
            + string.Concat(proof.Select(p => p + "\n"))
            + "\n"
            + checkpoint.Format();
        Assert.Equal(expected, receipt.Format());
    }

    [Fact]
    public void Format_WithoutExtra_OmitsTheLineAndVerifiesWithCallersLeafHash()
    {
        using var log = TestKeys.Signer(Origin);
        var (tree, _) = Build(9);
        var receipt = new TlogProof(8, tree.GetInclusionProof(8, 9), Sign(tree, log));

        var parsed = TlogProof.Parse(receipt.Format());

        Assert.StartsWith("c2sp.org/tlog-proof@v1\nindex 8\n", receipt.Format(), StringComparison.Ordinal);
        Assert.Null(receipt.Extra);
        Assert.Null(parsed.Extra);
        Assert.False(parsed.Verify(new NoteVerifier(log.VerifierKey)).IsValid);
        Assert.True(parsed.Verify(new NoteVerifier(log.VerifierKey), tree.GetLeafHash(8)).IsValid);
    }

    [Fact]
    public void Format_SingleLeafTree_HasEmptyProof()
    {
        using var log = TestKeys.Signer(Origin);
        var (tree, entries) = Build(1);

        var receipt = TlogProof.Create(tree, 0, Sign(tree, log), entries[0]);

        Assert.Contains("index 0\n\n", receipt.Format(), StringComparison.Ordinal);
        Assert.True(TlogProof.Open(receipt.ToBytes(), new NoteVerifier(log.VerifierKey)).IsValid);
    }

    [Fact]
    public void Verify_AlteredEntry_Fails()
    {
        using var log = TestKeys.Signer(Origin);
        var (tree, entries) = Build(10);
        var receipt = TlogProof.Create(tree, 3, Sign(tree, log), entries[3]);

        var forged = new TlogProof(receipt.Index, receipt.InclusionProof, receipt.SignedCheckpoint, "a different entry"u8.ToArray());

        var result = forged.Verify(new NoteVerifier(log.VerifierKey));
        Assert.False(result.IsValid);
        Assert.Contains("not proven included", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OtherIndex_Fails()
    {
        using var log = TestKeys.Signer(Origin);
        var (tree, entries) = Build(10);
        var receipt = TlogProof.Create(tree, 3, Sign(tree, log), entries[3]);

        var moved = new TlogProof(4, receipt.InclusionProof, receipt.SignedCheckpoint, entries[3]);

        Assert.False(moved.Verify(new NoteVerifier(log.VerifierKey)).IsValid);
    }

    [Fact]
    public void Verify_UntrustedOrAlteredCheckpoint_Fails()
    {
        using var log = TestKeys.Signer(Origin, 1);
        using var other = TestKeys.Signer(Origin, 2);
        var (tree, entries) = Build(10);
        var receipt = TlogProof.Create(tree, 3, Sign(tree, log), entries[3]);
        var altered = receipt.Format().Replace("\n10\n", "\n11\n", StringComparison.Ordinal);

        Assert.False(receipt.Verify(new NoteVerifier(other.VerifierKey)).IsValid);
        Assert.False(receipt.Verify(new NoteVerifier(log.VerifierKey), expectedOrigin: "example.com/else").IsValid);
        Assert.False(TlogProof.Open(Encoding.UTF8.GetBytes(altered), new NoteVerifier(log.VerifierKey)).IsValid);
    }

    [Fact]
    public void Verify_WitnessedCheckpoint_ReportsLogAndWitness()
    {
        using var log = TestKeys.Signer(Origin, 1);
        using var witness = TestKeys.Signer("witness.example", 2);
        var (tree, entries) = Build(7);
        var receipt = TlogProof.Create(tree, 6, witness.AddSignature(Sign(tree, log)), entries[6]);

        var result = TlogProof.Open(receipt.ToBytes(), new NoteVerifier(log.VerifierKey, witness.VerifierKey), Origin);

        Assert.True(result.IsValid, result.Failure);
        Assert.Equal([Origin, "witness.example"], result.VerifiedBy.Select(k => k.Name));
    }

    [Theory]
    [InlineData("c2sp.org/tlog-proof@v2\nindex 0\n\n{cp}", "first line")]
    [InlineData("c2sp.org/tlog-proof@v1\nindex 00\n\n{cp}", "index")]
    [InlineData("c2sp.org/tlog-proof@v1\nindex -1\n\n{cp}", "index")]
    [InlineData("c2sp.org/tlog-proof@v1\nextra !!\nindex 0\n\n{cp}", "extra")]
    [InlineData("c2sp.org/tlog-proof@v1\nextra AA==\n\n{cp}", "index")]
    [InlineData("c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\n{cp}", "Inclusion proof line 1")]
    [InlineData("c2sp.org/tlog-proof@v1\nindex 0\n", "ends before the blank line")]
    [InlineData("c2sp.org/tlog-proof@v1\nindex 0\n\nnot a note\n", "not a signed note")]
    public void TryParse_Malformed_ReportsWhy(string template, string reason)
    {
        using var log = TestKeys.Signer(Origin);
        var (tree, _) = Build(1);
        var text = template.Replace("{cp}", Sign(tree, log).Format(), StringComparison.Ordinal);

        Assert.False(TlogProof.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EntryNotAtIndex_Throws()
    {
        using var log = TestKeys.Signer(Origin);
        var (tree, entries) = Build(4);

        Assert.Throws<ArgumentException>(() => TlogProof.Create(tree, 1, Sign(tree, log), entries[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TlogProof.Create(tree, 4, Sign(tree, log), entries[0]));
    }

    private static SignedNote Sign(MerkleTree tree, NoteSigner log) => new Checkpoint(Origin, tree.Size, tree.Root).Sign(log);

    private static (MerkleTree Tree, byte[][] Entries) Build(int size)
    {
        var entries = Enumerable.Range(0, size).Select(i => Encoding.UTF8.GetBytes($"{{\"entry\":{i}}}")).ToArray();
        var tree = new MerkleTree();
        foreach (var entry in entries)
        {
            tree.AppendEntry(entry);
        }

        return (tree, entries);
    }
}

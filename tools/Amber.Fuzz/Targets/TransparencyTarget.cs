using System.Text;
using Amber.Fuzz.Engine;
using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;
using Amber.Transparency.Receipts;

namespace Amber.Fuzz.Targets;

/// <summary>
/// Checkpoint, signed-note and receipt parsing. Their TryParse and Open methods are documented to report a bad
/// text as false or an invalid verification, never by throwing, so any exception is a crash. A text that parses
/// must also survive a round trip (written out and read back to the same text).
/// </summary>
public sealed class TransparencyTarget : IFuzzTarget
{
    private const string Origin = "amber.archive/fuzz";
    private readonly TransparencyKind kind;
    private readonly NoteSigner signer;
    private readonly NoteVerifier verifier;

    public TransparencyTarget(TransparencyKind kind)
    {
        this.kind = kind;
        signer = NoteSigner.FromSeed(Origin, Enumerable.Range(1, NoteSigner.SeedLength).Select(i => (byte)i).ToArray());
        verifier = new NoteVerifier([signer.VerifierKey]);
        var tree = new MerkleTree();
        for (var i = 0; i < 7; i++)
        {
            tree.AppendEntry(Encoding.UTF8.GetBytes($"entry {i}"));
        }

        var checkpoint = new Checkpoint(Origin, tree.Size, tree.Root, ["extension line"]);
        var signed = checkpoint.Sign(signer);
        var receipt = TlogProof.Create(tree, 3, signed, "entry 3"u8);
        Seeds = kind switch
        {
            TransparencyKind.Checkpoint => [Encoding.UTF8.GetBytes(checkpoint.ToNoteText()), Encoding.UTF8.GetBytes(new Checkpoint(Origin, 0, MerkleHash.EmptyRoot).ToNoteText())],
            TransparencyKind.Note => [signed.ToBytes(), signer.AddSignature(NoteSigner.FromSeed("witness", new byte[NoteSigner.SeedLength]).SignNote(signed.Text)).ToBytes()],
            _ => [receipt.ToBytes(), TlogProof.Create(tree, 0, signed, "entry 0"u8).ToBytes()],
        };
    }

    public string Name => kind.ToString().ToLowerInvariant();

    public IReadOnlyList<byte[]> Seeds { get; }

    public Verdict Run(byte[] input) => kind switch
    {
        TransparencyKind.Checkpoint => RunCheckpoint(input),
        TransparencyKind.Note => RunNote(input),
        _ => RunReceipt(input),
    };

    private static Verdict RunCheckpoint(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (!Checkpoint.TryParse(text, out var parsed, out _))
        {
            return Verdict.Rejected;
        }

        var written = parsed.ToNoteText();
        if (!Checkpoint.TryParse(written, out var again, out var error) || again.ToNoteText() != written)
        {
            throw new FuzzFailure($"checkpoint: a parsed checkpoint does not read back ({error})");
        }

        return Verdict.Accepted;
    }

    private Verdict RunNote(byte[] input)
    {
        if (!SignedNote.TryParse(input, out var note, out _))
        {
            _ = Checkpoint.Open(input, verifier, Origin);
            return Verdict.Rejected;
        }

        _ = Checkpoint.Verify(note, verifier, Origin);
        if (!SignedNote.TryParse(note.ToBytes(), out var again, out var error) || again.Format() != note.Format())
        {
            throw new FuzzFailure($"note: a parsed note does not read back ({error})");
        }

        return Verdict.Accepted;
    }

    private Verdict RunReceipt(byte[] input)
    {
        _ = TlogProof.Open(input, verifier, Origin);
        if (!TlogProof.TryParse(input, out var receipt, out _))
        {
            return Verdict.Rejected;
        }

        if (!TlogProof.TryParse(receipt.ToBytes(), out var again, out var error) || again.Format() != receipt.Format())
        {
            throw new FuzzFailure($"receipt: a parsed receipt does not read back ({error})");
        }

        return Verdict.Accepted;
    }

    public void Dispose() => signer.Dispose();
}

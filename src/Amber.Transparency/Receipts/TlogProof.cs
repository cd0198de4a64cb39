using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;

namespace Amber.Transparency.Receipts;

/// <summary>
/// An offline-verifiable receipt in the c2sp.org/tlog-proof@v1 format:
/// <code>
/// c2sp.org/tlog-proof@v1
/// extra &lt;base64&gt;          (optional, unauthenticated)
/// index &lt;decimal&gt;
/// &lt;base64 hash&gt;            (zero or more: the inclusion proof, leaf sibling first)
///
/// &lt;signed checkpoint, verbatim&gt;
/// </code>
/// Amber puts the log entry's bytes in <c>extra</c>, so the receipt alone lets anyone recompute the leaf hash
/// and check it against a checkpoint the log signed.
/// </summary>
public sealed class TlogProof
{
    /// <summary>The first line of every receipt.</summary>
    public const string Header = "c2sp.org/tlog-proof@v1";

    /// <summary>The suggested file extension.</summary>
    public const string FileExtension = ".tlog-proof";

    private const string ExtraPrefix = "extra ";
    private const string IndexPrefix = "index ";
    private const int MaxProofHashes = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[]? extra;

    /// <summary>A receipt; <paramref name="extra"/> (copied) is the entry bytes in Amber's receipts, or null to omit the line.</summary>
    public TlogProof(long index, IEnumerable<byte[]> inclusionProof, SignedNote signedCheckpoint, ReadOnlyMemory<byte>? extra = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentNullException.ThrowIfNull(inclusionProof);
        ArgumentNullException.ThrowIfNull(signedCheckpoint);
        var proof = inclusionProof.Select(h => h?.Length == MerkleHash.Size
            ? (byte[])h.Clone()
            : throw new ArgumentException($"Every inclusion proof hash is {MerkleHash.Size} bytes.", nameof(inclusionProof))).ToArray();
        if (proof.Length > MaxProofHashes)
        {
            throw new ArgumentException($"An inclusion proof has at most {MaxProofHashes} hashes.", nameof(inclusionProof));
        }

        if (!Checkpoint.TryParse(signedCheckpoint.Text, out var body, out var error))
        {
            throw new ArgumentException("The signed note is not a checkpoint: " + error, nameof(signedCheckpoint));
        }

        Index = index;
        InclusionProof = proof;
        SignedCheckpoint = signedCheckpoint;
        Checkpoint = body;
        this.extra = extra?.ToArray();
    }

    /// <summary>The opaque <c>extra</c> data (for Amber, the log entry bytes), or null when absent. Not authenticated by itself.</summary>
    public ReadOnlyMemory<byte>? Extra => extra is null ? default(ReadOnlyMemory<byte>?) : extra;

    /// <summary>The zero-based index of the entry in the log.</summary>
    public long Index { get; }

    /// <summary>The RFC 6962 audit path, leaf sibling first.</summary>
    public IReadOnlyList<byte[]> InclusionProof { get; }

    /// <summary>The signed checkpoint, verbatim, with the log's signature and any witness cosignatures.</summary>
    public SignedNote SignedCheckpoint { get; }

    /// <summary>The checkpoint's parsed text (not trusted until <see cref="Verify(NoteVerifier, string?)"/> succeeds).</summary>
    public Checkpoint Checkpoint { get; }

    /// <summary>
    /// The receipt for entry <paramref name="index"/> of <paramref name="tree"/> under <paramref name="signedCheckpoint"/>,
    /// carrying <paramref name="entry"/> as <c>extra</c>. The tree must contain the checkpoint's size, its root at that
    /// size must be the checkpoint's root, and the entry must hash to leaf <paramref name="index"/>.
    /// </summary>
    public static TlogProof Create(MerkleTree tree, long index, SignedNote signedCheckpoint, ReadOnlySpan<byte> entry)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(signedCheckpoint);
        var checkpoint = Checkpoint.Parse(signedCheckpoint.Text);
        if (checkpoint.Size > tree.Size || !tree.GetRoot(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.RootHash.Span))
        {
            throw new ArgumentException($"The checkpoint (size {checkpoint.Size}) does not describe this tree (size {tree.Size}).", nameof(signedCheckpoint));
        }

        if (index < 0 || index >= checkpoint.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The entry index must be below the checkpoint size {checkpoint.Size}.");
        }

        if (!MerkleHash.HashLeaf(entry).AsSpan().SequenceEqual(tree.GetLeafHash(index)))
        {
            throw new ArgumentException($"The entry does not hash to leaf {index} of the tree.", nameof(entry));
        }

        return new TlogProof(index, tree.GetInclusionProof(index, checkpoint.Size), signedCheckpoint, entry.ToArray());
    }

    /// <summary>Reads a receipt from UTF-8 bytes; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static TlogProof Parse(ReadOnlySpan<byte> receipt)
        => TryParse(receipt, out var parsed, out var error) ? parsed : throw new FormatException(error);

    /// <summary>Reads a receipt from text; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static TlogProof Parse(string receipt)
        => TryParse(receipt, out var parsed, out var error) ? parsed : throw new FormatException(error);

    public static bool TryParse(ReadOnlySpan<byte> receipt, [NotNullWhen(true)] out TlogProof? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        if (receipt.Length > SignedNote.MaxSize * 2)
        {
            error = $"The receipt is {receipt.Length} bytes, too large to be a tlog-proof.";
            return false;
        }

        if (!Utf8.IsValid(receipt))
        {
            error = "The receipt is not valid UTF-8.";
            return false;
        }

        return TryParse(StrictUtf8.GetString(receipt), out parsed, out error);
    }

    public static bool TryParse(string receipt, [NotNullWhen(true)] out TlogProof? parsed, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        parsed = null;
        var position = 0;

        string? NextLine()
        {
            var end = receipt.IndexOf('\n', position);
            if (end < 0)
            {
                return null;
            }

            var line = receipt[position..end];
            position = end + 1;
            return line;
        }

        if (NextLine() != Header)
        {
            error = $"The first line must be \"{Header}\".";
            return false;
        }

        var line = NextLine();
        byte[]? extra = null;
        if (line is not null && line.StartsWith(ExtraPrefix, StringComparison.Ordinal))
        {
            if (!StrictBase64.TryDecode(line.AsSpan(ExtraPrefix.Length), out var decoded))
            {
                error = "The extra line is not canonical base64.";
                return false;
            }

            extra = decoded;
            line = NextLine();
        }

        if (line is null || !line.StartsWith(IndexPrefix, StringComparison.Ordinal)
            || !Checkpoint.TryParseDecimal(line[IndexPrefix.Length..], out var index))
        {
            error = "Expected an \"index <decimal>\" line (no leading zeros) after the header and optional extra line.";
            return false;
        }

        var proof = new List<byte[]>();
        while (true)
        {
            line = NextLine();
            if (line is null)
            {
                error = "The receipt ends before the blank line that precedes the checkpoint.";
                return false;
            }

            if (line.Length == 0)
            {
                break;
            }

            if (!StrictBase64.TryDecode(line, out var hash) || hash.Length != MerkleHash.Size)
            {
                error = $"Inclusion proof line {proof.Count + 1} is not canonical base64 of a {MerkleHash.Size}-byte hash.";
                return false;
            }

            if (proof.Count == MaxProofHashes)
            {
                error = $"The inclusion proof has more than {MaxProofHashes} hashes.";
                return false;
            }

            proof.Add(hash);
        }

        if (!SignedNote.TryParse(receipt[position..], out var note, out var noteError))
        {
            error = "The checkpoint is not a signed note: " + noteError;
            return false;
        }

        if (!Checkpoint.TryParse(note.Text, out _, out var checkpointError))
        {
            error = "The signed note is not a checkpoint: " + checkpointError;
            return false;
        }

        parsed = new TlogProof(index, proof, note, extra is null ? default(ReadOnlyMemory<byte>?) : extra);
        error = null;
        return true;
    }

    /// <summary>
    /// Parses and verifies a receipt whose <c>extra</c> carries the entry bytes (see <see cref="Verify(NoteVerifier, string?)"/>).
    /// Malformed receipts are reported as failures, not exceptions.
    /// </summary>
    public static CheckpointVerification Open(ReadOnlySpan<byte> receipt, NoteVerifier verifier, string? expectedOrigin = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return TryParse(receipt, out var parsed, out var error)
            ? parsed.Verify(verifier, expectedOrigin)
            : CheckpointVerification.Invalid(null, "Malformed receipt: " + error);
    }

    /// <summary>
    /// Verifies offline that the entry in <c>extra</c> is in the log: the checkpoint must carry a verifying signature
    /// from <paramref name="verifier"/> (and have <paramref name="expectedOrigin"/>, when given), and the entry's leaf
    /// hash with the inclusion proof must lead to the checkpoint's root.
    /// </summary>
    public CheckpointVerification Verify(NoteVerifier verifier, string? expectedOrigin = null)
    {
        if (extra is null)
        {
            return CheckpointVerification.Invalid(SignedCheckpoint, "The receipt has no extra line carrying the entry, so its leaf hash cannot be computed.");
        }

        return Verify(verifier, MerkleHash.HashLeaf(extra), expectedOrigin);
    }

    /// <summary>As <see cref="Verify(NoteVerifier, string?)"/>, for an entry whose leaf hash the caller computed.</summary>
    public CheckpointVerification Verify(NoteVerifier verifier, ReadOnlySpan<byte> leafHash, string? expectedOrigin = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        var opened = Checkpoint.Verify(SignedCheckpoint, verifier, expectedOrigin);
        if (!opened.IsValid)
        {
            return opened;
        }

        var checkpoint = opened.Checkpoint!;
        var inclusion = MerkleProofs.VerifyInclusion(Index, checkpoint.Size, leafHash, InclusionProof, checkpoint.RootHash.Span);
        return inclusion.IsValid
            ? opened
            : CheckpointVerification.Invalid(SignedCheckpoint, $"Entry {Index} is not proven included in the checkpoint of size {checkpoint.Size}: {inclusion.Failure}");
    }

    /// <summary>The receipt text.</summary>
    public string Format()
    {
        var builder = new StringBuilder();
        builder.Append(Header).Append('\n');
        if (extra is not null)
        {
            builder.Append(ExtraPrefix).Append(Convert.ToBase64String(extra)).Append('\n');
        }

        builder.Append(IndexPrefix).Append(Index.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var hash in InclusionProof)
        {
            builder.Append(Convert.ToBase64String(hash)).Append('\n');
        }

        builder.Append('\n').Append(SignedCheckpoint.Format());
        return builder.ToString();
    }

    /// <summary>The receipt as UTF-8 bytes.</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(Format());

    public override string ToString() => Format();
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;

namespace Amber.Transparency.Checkpoints;

/// <summary>
/// A c2sp.org/tlog-checkpoint note body: origin, tree size (decimal, no leading zeros), base64 RFC 6962 root,
/// then optional non-empty extension lines, each ending in a newline.
/// </summary>
public sealed class Checkpoint
{
    private readonly byte[] rootHash;

    public Checkpoint(string origin, long size, ReadOnlySpan<byte> rootHash, IEnumerable<string>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(origin);
        if (CheckLine(origin, "origin") is { } invalidOrigin)
        {
            throw new ArgumentException(invalidOrigin, nameof(origin));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (rootHash.Length != MerkleHash.Size)
        {
            throw new ArgumentException($"The root hash is {MerkleHash.Size} bytes (got {rootHash.Length}).", nameof(rootHash));
        }

        var lines = extensions?.ToArray() ?? [];
        foreach (var line in lines)
        {
            if (CheckLine(line, "extension line") is { } invalidLine)
            {
                throw new ArgumentException(invalidLine, nameof(extensions));
            }
        }

        Origin = origin;
        Size = size;
        this.rootHash = rootHash.ToArray();
        Extensions = lines;
    }

    /// <summary>The log's identity, e.g. <c>example.com/amber-log</c>.</summary>
    public string Origin { get; }

    /// <summary>The number of leaves in the tree.</summary>
    public long Size { get; }

    /// <summary>The 32-byte RFC 6962 root of the first <see cref="Size"/> leaves.</summary>
    public ReadOnlyMemory<byte> RootHash => rootHash;

    /// <summary>Opaque extension lines (NOT RECOMMENDED by the spec; kept for third-party logs).</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>Reads checkpoint note text; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static Checkpoint Parse(string text)
        => TryParse(text, out var parsed, out var error) ? parsed : throw new FormatException(error);

    public static bool TryParse(string text, [NotNullWhen(true)] out Checkpoint? parsed, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        parsed = null;
        if (text.Length == 0 || text[^1] != '\n')
        {
            error = "Checkpoint text must end with a newline.";
            return false;
        }

        var lines = text[..^1].Split('\n');
        if (lines.Length < 3)
        {
            error = $"A checkpoint has at least three lines (origin, size, root hash); this has {lines.Length}.";
            return false;
        }

        for (var i = 0; i < lines.Length; i++)
        {
            if (CheckLine(lines[i], i switch { 0 => "origin", 1 => "tree size", 2 => "root hash", _ => $"extension line {i - 2}" }) is { } invalid)
            {
                error = invalid;
                return false;
            }
        }

        if (!TryParseDecimal(lines[1], out var size))
        {
            error = $"The tree size \"{lines[1]}\" is not a decimal number without leading zeros (up to {long.MaxValue}).";
            return false;
        }

        if (!StrictBase64.TryDecode(lines[2], out var root) || root.Length != MerkleHash.Size)
        {
            error = $"The root hash \"{lines[2]}\" is not canonical base64 of {MerkleHash.Size} bytes.";
            return false;
        }

        parsed = new Checkpoint(lines[0], size, root, lines[3..]);
        error = null;
        return true;
    }

    /// <summary>
    /// Opens a signed checkpoint: the note must verify under <paramref name="verifier"/>, its text must be a
    /// well-formed checkpoint, and, when given, its origin must equal <paramref name="expectedOrigin"/>.
    /// </summary>
    public static CheckpointVerification Open(ReadOnlySpan<byte> note, NoteVerifier verifier, string? expectedOrigin = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return FromNote(verifier.Open(note), expectedOrigin);
    }

    /// <inheritdoc cref="Open(ReadOnlySpan{byte}, NoteVerifier, string?)"/>
    public static CheckpointVerification Open(string note, NoteVerifier verifier, string? expectedOrigin = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return FromNote(verifier.Open(note), expectedOrigin);
    }

    /// <inheritdoc cref="Open(ReadOnlySpan{byte}, NoteVerifier, string?)"/>
    public static CheckpointVerification Verify(SignedNote note, NoteVerifier verifier, string? expectedOrigin = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return FromNote(verifier.Verify(note), expectedOrigin);
    }

    /// <summary>The note text: origin, size, root and extension lines, each ending in a newline.</summary>
    public string ToNoteText()
    {
        var builder = new StringBuilder();
        builder.Append(Origin).Append('\n')
            .Append(Size.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(Convert.ToBase64String(rootHash)).Append('\n');
        foreach (var line in Extensions)
        {
            builder.Append(line).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>A signed note carrying this checkpoint. The log's key name should equal <see cref="Origin"/>.</summary>
    public SignedNote Sign(NoteSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return signer.SignNote(ToNoteText());
    }

    public override string ToString() => ToNoteText();

    internal static bool TryParseDecimal(string text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 19 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static CheckpointVerification FromNote(NoteVerification opened, string? expectedOrigin)
    {
        if (!opened.IsValid)
        {
            return CheckpointVerification.Invalid(opened.Note, opened.Failure!);
        }

        var note = opened.Note!;
        if (!TryParse(note.Text, out var checkpoint, out var error))
        {
            return CheckpointVerification.Invalid(note, "The signed note is not a checkpoint: " + error);
        }

        if (expectedOrigin is not null && !string.Equals(checkpoint.Origin, expectedOrigin, StringComparison.Ordinal))
        {
            return CheckpointVerification.Invalid(note, $"The checkpoint is for log \"{checkpoint.Origin}\", not \"{expectedOrigin}\".");
        }

        return CheckpointVerification.Valid(checkpoint, note, opened.VerifiedBy);
    }

    private static string? CheckLine(string line, string what)
    {
        if (line.Length == 0)
        {
            return $"The checkpoint's {what} is empty.";
        }

        return NoteText.CheckCharacters(line, allowNewline: false) is { } invalid ? $"The checkpoint's {what}: {invalid}" : null;
    }
}

using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace Amber.Transparency.Notes;

/// <summary>
/// A C2SP signed note (c2sp.org/signed-note): text ending in a newline, a blank line, and one or more
/// signature lines <c>— &lt;name&gt; &lt;base64&gt;</c>. The text is everything up to and including the
/// newline before the last blank line, and it is exactly what the signatures sign.
/// </summary>
/// <remarks>
/// Parsing checks only the format; <see cref="NoteVerifier"/> decides whether to trust it. Base64 must be
/// canonical, so <see cref="Format"/> reproduces the parsed bytes exactly.
/// </remarks>
public sealed class SignedNote
{
    /// <summary>At most this many signature lines (the spec asks for at least 16; Go allows 100).</summary>
    public const int MaxSignatures = 100;

    /// <summary>The largest note accepted, in bytes (room for 100 post-quantum signatures).</summary>
    public const int MaxSize = 1 << 20;

    private const string SignaturePrefix = "\u2014 ";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public SignedNote(string text, IEnumerable<NoteSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(signatures);
        var invalid = NoteText.CheckText(text);
        if (invalid is not null)
        {
            throw new ArgumentException(invalid, nameof(text));
        }

        var list = signatures.ToArray();
        if (list.Length == 0 || list.Length > MaxSignatures)
        {
            throw new ArgumentException($"A signed note has between 1 and {MaxSignatures} signatures (got {list.Length}).", nameof(signatures));
        }

        Text = text;
        Signatures = list;
    }

    /// <summary>The signed text, ending in a newline.</summary>
    public string Text { get; }

    /// <summary>The signature lines in note order (duplicates and unknown keys included).</summary>
    public IReadOnlyList<NoteSignature> Signatures { get; }

    /// <summary>Reads a signed note from its UTF-8 bytes; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static SignedNote Parse(ReadOnlySpan<byte> note)
        => TryParse(note, out var parsed, out var error) ? parsed : throw new FormatException(error);

    /// <summary>Reads a signed note from text; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static SignedNote Parse(string note)
        => TryParse(note, out var parsed, out var error) ? parsed : throw new FormatException(error);

    public static bool TryParse(ReadOnlySpan<byte> note, [NotNullWhen(true)] out SignedNote? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        if (note.Length > MaxSize)
        {
            error = $"The note is {note.Length} bytes; at most {MaxSize} are accepted.";
            return false;
        }

        if (!Utf8.IsValid(note))
        {
            error = "The note is not valid UTF-8.";
            return false;
        }

        return TryParseText(StrictUtf8.GetString(note), out parsed, out error);
    }

    public static bool TryParse(string note, [NotNullWhen(true)] out SignedNote? parsed, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(note);
        parsed = null;
        error = note.Length > MaxSize ? $"The note is over {MaxSize} bytes." : NoteText.CheckCharacters(note, allowNewline: true);
        if (error is null && Encoding.UTF8.GetByteCount(note) > MaxSize)
        {
            error = $"The note is {Encoding.UTF8.GetByteCount(note)} bytes; at most {MaxSize} are accepted.";
        }

        return error is null && TryParseText(note, out parsed, out error);
    }

    /// <summary>This note with one more signature line at the end.</summary>
    public SignedNote WithSignature(NoteSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return new SignedNote(Text, [.. Signatures, signature]);
    }

    /// <summary>The note as text: the text, a blank line, the signature lines.</summary>
    public string Format()
    {
        var builder = new StringBuilder(Text.Length + 1 + (Signatures.Count * 100));
        builder.Append(Text).Append('\n');
        foreach (var signature in Signatures)
        {
            builder.Append(signature.FormatLine());
        }

        return builder.ToString();
    }

    /// <summary>The note as UTF-8 bytes.</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(Format());

    public override string ToString() => Format();

    private static bool TryParseText(string note, [NotNullWhen(true)] out SignedNote? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        if (note.Length > 0 && note[0] == '\uFEFF')
        {
            error = "The note starts with a byte order mark; notes are plain UTF-8 without one.";
            return false;
        }

        error = NoteText.CheckCharacters(note, allowNewline: true);
        if (error is not null)
        {
            return false;
        }

        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            error = "No blank line separates the note text from its signatures.";
            return false;
        }

        var text = note[..(split + 1)];
        var block = note.AsSpan(split + 2);
        if (block.IsEmpty || block[^1] != '\n')
        {
            error = block.IsEmpty
                ? "The note has no signature lines after its last blank line."
                : "The note does not end with a newline after its last signature line.";
            return false;
        }

        var signatures = new List<NoteSignature>();
        foreach (var range in block[..^1].Split('\n'))
        {
            var line = block[range];
            if (signatures.Count == MaxSignatures)
            {
                error = $"The note has more than {MaxSignatures} signatures.";
                return false;
            }

            if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
            {
                error = $"Signature line {signatures.Count + 1} does not start with an em dash (U+2014) and a space.";
                return false;
            }

            line = line[SignaturePrefix.Length..];
            var space = line.IndexOf(' ');
            if (space < 0)
            {
                error = $"Signature line {signatures.Count + 1} has no space between the key name and the signature.";
                return false;
            }

            var name = line[..space];
            var nameError = NoteText.CheckKeyName(name);
            if (nameError is not null)
            {
                error = $"Signature line {signatures.Count + 1}: {nameError}";
                return false;
            }

            if (!StrictBase64.TryDecode(line[(space + 1)..], out var payload) || payload.Length < 5)
            {
                error = $"Signature line {signatures.Count + 1} (\"{name}\") is not canonical base64 of a 4-byte key ID and a signature.";
                return false;
            }

            signatures.Add(new NoteSignature(name.ToString(), BinaryPrimitives.ReadUInt32BigEndian(payload), payload.AsSpan(4)));
        }

        parsed = new SignedNote(text, signatures);
        error = null;
        return true;
    }
}

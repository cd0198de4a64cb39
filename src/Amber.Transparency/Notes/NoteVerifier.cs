using System.Text;

namespace Amber.Transparency.Notes;

/// <summary>
/// Opens signed notes against a fixed set of trusted verifier keys, by the rules of c2sp.org/signed-note:
/// signatures whose (name, key ID) is unknown are ignored; a known key's signature that fails rejects the
/// whole note; a note with no verifying known signature is rejected.
/// </summary>
public sealed class NoteVerifier
{
    private readonly Dictionary<(string Name, uint KeyId), NoteVerifierKey> keys = [];

    public NoteVerifier(IEnumerable<NoteVerifierKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = new List<NoteVerifierKey>();
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key);
            if (!this.keys.TryAdd((key.Name, key.KeyId), key))
            {
                throw new ArgumentException($"Two verifier keys share the name \"{key.Name}\" and key ID {key.KeyId:x8}; signatures could not tell them apart.", nameof(keys));
            }

            list.Add(key);
        }

        Keys = list;
    }

    public NoteVerifier(params NoteVerifierKey[] keys)
        : this((IEnumerable<NoteVerifierKey>)keys)
    {
    }

    /// <summary>The trusted keys.</summary>
    public IReadOnlyList<NoteVerifierKey> Keys { get; }

    /// <summary>A verifier for vkey lines; throws <see cref="FormatException"/> naming a malformed one.</summary>
    public static NoteVerifier Parse(params IEnumerable<string> vkeys)
    {
        ArgumentNullException.ThrowIfNull(vkeys);
        return new NoteVerifier(vkeys.Select(NoteVerifierKey.Parse));
    }

    /// <summary>Parses and verifies a note given as UTF-8 bytes.</summary>
    public NoteVerification Open(ReadOnlySpan<byte> note)
        => SignedNote.TryParse(note, out var parsed, out var error) ? Verify(parsed) : NoteVerification.Invalid(null, "Malformed note: " + error);

    /// <summary>Parses and verifies a note given as text.</summary>
    public NoteVerification Open(string note)
        => SignedNote.TryParse(note, out var parsed, out var error) ? Verify(parsed) : NoteVerification.Invalid(null, "Malformed note: " + error);

    /// <summary>Verifies an already parsed note.</summary>
    public NoteVerification Verify(SignedNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        var text = Encoding.UTF8.GetBytes(note.Text);
        var verified = new List<NoteVerifierKey>();
        var unknown = new List<NoteSignature>();
        foreach (var signature in note.Signatures)
        {
            if (!keys.TryGetValue((signature.KeyName, signature.KeyId), out var key))
            {
                unknown.Add(signature);
                continue;
            }

            // A key that signed twice counts once; each copy must still verify.
            if (!key.Verify(text, signature.Signature.Span))
            {
                return NoteVerification.Invalid(note, $"The signature by \"{key.Name}\" (key ID {key.KeyId:x8}) does not verify: the note was altered or signed by another key.");
            }

            if (!verified.Contains(key))
            {
                verified.Add(key);
            }
        }

        if (verified.Count == 0)
        {
            var names = note.Signatures.Select(s => $"{s.KeyName} {s.KeyId:x8}").Distinct(StringComparer.Ordinal);
            return NoteVerification.Invalid(note, $"No signature is from a trusted key (signed by: {string.Join(", ", names)}).");
        }

        return NoteVerification.Valid(note, verified, unknown);
    }
}

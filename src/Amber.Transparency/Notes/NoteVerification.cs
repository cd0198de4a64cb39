namespace Amber.Transparency.Notes;

/// <summary>The outcome of opening a signed note against a set of trusted keys.</summary>
public sealed class NoteVerification
{
    private NoteVerification(SignedNote? note, IReadOnlyList<NoteVerifierKey> verifiedBy, IReadOnlyList<NoteSignature> unknown, string? failure)
    {
        Note = note;
        VerifiedBy = verifiedBy;
        UnknownSignatures = unknown;
        Failure = failure;
    }

    public bool IsValid => Failure is null;

    /// <summary>Why the note was rejected; null when <see cref="IsValid"/>.</summary>
    public string? Failure { get; }

    /// <summary>The parsed note (null only when it was malformed).</summary>
    public SignedNote? Note { get; }

    /// <summary>The trusted keys whose signatures verified, in note order (empty when rejected).</summary>
    public IReadOnlyList<NoteVerifierKey> VerifiedBy { get; }

    /// <summary>Signatures from keys not in the verifier's set, ignored as the spec requires.</summary>
    public IReadOnlyList<NoteSignature> UnknownSignatures { get; }

    internal static NoteVerification Valid(SignedNote note, IReadOnlyList<NoteVerifierKey> verifiedBy, IReadOnlyList<NoteSignature> unknown)
        => new(note, verifiedBy, unknown, null);

    internal static NoteVerification Invalid(SignedNote? note, string failure)
        => new(note, [], [], failure);
}

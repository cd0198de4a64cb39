using Amber.Transparency.Notes;

namespace Amber.Transparency.Checkpoints;

/// <summary>
/// The outcome of opening a signed checkpoint (or a receipt that carries one): the checkpoint, if trusted,
/// and which keys vouched for it (the log, and any witnesses the verifier knows).
/// </summary>
public sealed class CheckpointVerification
{
    private CheckpointVerification(Checkpoint? checkpoint, SignedNote? note, IReadOnlyList<NoteVerifierKey> verifiedBy, string? failure)
    {
        Checkpoint = checkpoint;
        Note = note;
        VerifiedBy = verifiedBy;
        Failure = failure;
    }

    public bool IsValid => Failure is null;

    /// <summary>Why it was rejected; null when <see cref="IsValid"/>.</summary>
    public string? Failure { get; }

    /// <summary>The verified checkpoint; null when rejected.</summary>
    public Checkpoint? Checkpoint { get; }

    /// <summary>The signed note, when it could be parsed.</summary>
    public SignedNote? Note { get; }

    /// <summary>Trusted keys whose signatures verified (empty when rejected).</summary>
    public IReadOnlyList<NoteVerifierKey> VerifiedBy { get; }

    internal static CheckpointVerification Valid(Checkpoint checkpoint, SignedNote note, IReadOnlyList<NoteVerifierKey> verifiedBy)
        => new(checkpoint, note, verifiedBy, null);

    internal static CheckpointVerification Invalid(SignedNote? note, string failure)
        => new(null, note, [], failure);
}

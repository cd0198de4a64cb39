namespace Amber.Fuzz.Targets;

/// <summary>Which of the transparency-log texts a <see cref="TransparencyTarget"/> reads.</summary>
public enum TransparencyKind
{
    Checkpoint,
    Note,
    Receipt,
}

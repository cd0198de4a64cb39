namespace Amber.Transparency;

/// <summary>
/// The outcome of checking a proof: valid, or invalid with a reason a person can act on. Expected failures
/// (a wrong root, a short proof) are results, not exceptions.
/// </summary>
public readonly record struct VerificationResult
{
    private VerificationResult(bool isValid, string? failure)
    {
        IsValid = isValid;
        Failure = failure;
    }

    public static VerificationResult Valid { get; } = new(true, null);

    public bool IsValid { get; }

    /// <summary>Why the check failed; null when <see cref="IsValid"/>.</summary>
    public string? Failure { get; }

    public static VerificationResult Invalid(string failure) => new(false, failure);

    public override string ToString() => IsValid ? "valid" : "invalid: " + Failure;
}

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// The outcome of re-deriving one turn token by token: exact, or the first diverging step with the
/// recorded and re-derived tokens.
/// </summary>
public sealed record TokenReplay(bool Exact, int Tokens, int? DivergedAt, int? RecordedToken, int? ReplayedToken);

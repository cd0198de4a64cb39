namespace Amber.Viewer.Security;

/// <summary>A token just created: <see cref="Token"/> is shown once and kept nowhere.</summary>
public sealed record IssuedToken(string Token, StoredToken Stored);

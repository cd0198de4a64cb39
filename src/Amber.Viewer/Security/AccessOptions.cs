namespace Amber.Viewer.Security;

/// <summary>What <see cref="AccessCheck"/> accepts.</summary>
/// <param name="ServerToken">The server's own token (<c>--token</c>): admin, no tenant. Null when there is none.</param>
/// <param name="Store">The archive's tokens; null when only the server's token opens it.</param>
/// <param name="Required">
/// True off loopback, with <c>--require-token</c>, or when a server token is given: every route but <c>/healthz</c> and
/// <c>/readyz</c> needs a token of the right scope. False: requests without a token see everything, and an
/// <c>Amber-Token</c> on <c>/v1</c> only names the tenant captured calls land in.
/// </param>
public sealed record AccessOptions(string? ServerToken, TokenStore? Store, bool Required);

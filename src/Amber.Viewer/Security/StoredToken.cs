namespace Amber.Viewer.Security;

/// <summary>
/// One token as the store keeps it: never the token, only a per-token salt and SHA-256(salt ‖ secret). Times are
/// RFC 3339 (Timestamps); <see cref="Expires"/> and <see cref="Revoked"/> are null when not set.
/// </summary>
public sealed record StoredToken(string Id, string Tenant, TokenScope Scope, string Created, string? Expires, string? Revoked, byte[] Salt, byte[] Hash);

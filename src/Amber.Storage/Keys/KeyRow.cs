namespace Amber.Storage.Keys;

/// <summary>One row of <c>keys.db</c>: a conversation's key record (null once shredded), its tenant and state, when it last changed and why.</summary>
public sealed record KeyRow(string Subject, string Tenant, KeyState State, byte[]? Record, string Changed, string? Reason);

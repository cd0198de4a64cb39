namespace Amber.Storage.Reading;

/// <summary>What an id or prefix given by a user names.</summary>
public sealed record ResolvedId(ResolvedKind Kind, string Id, string? Problem);

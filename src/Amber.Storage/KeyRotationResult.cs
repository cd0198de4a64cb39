namespace Amber.Storage;

/// <summary>One tenant's rotation (<see cref="Archive.RotateKeys"/>).</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Version">Its key's version now current.</param>
/// <param name="Rewrapped">Data keys re-wrapped under that version.</param>
/// <param name="NotRetired">Why older versions could not be destroyed (the environment provider's instruction), if any.</param>
public sealed record KeyRotationResult(string Tenant, int Version, int Rewrapped, IReadOnlyList<string> NotRetired);

namespace Amber.Storage.Verification;

/// <summary>A unit whose bytes hashed to what <c>verify.memo</c> recorded: its fixity was checked, its deep check skipped.</summary>
/// <param name="Unit">The segment file name, <c>index.db</c>, or <c>blobs</c>.</param>
/// <param name="CheckedAt">When it was last deep-checked (<c>Timestamps</c> format).</param>
/// <param name="CheckVersion">The verifier's check version that deep-checked it.</param>
public sealed record MemoisedUnit(string Unit, string CheckedAt, int CheckVersion);

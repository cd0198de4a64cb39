namespace Amber.Cluster.Objects;

/// <summary>One object as a listing describes it: its name relative to the archive, and its size.</summary>
public sealed record StoredObject(string Name, long Size);

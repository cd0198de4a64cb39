namespace Amber.Cluster.Objects;

/// <summary>How one object is held, as the store reports it: its lock and when the lock ends.</summary>
public sealed record ObjectRetention(string Name, long Size, RetentionMode LockMode, DateTimeOffset? RetainUntil);

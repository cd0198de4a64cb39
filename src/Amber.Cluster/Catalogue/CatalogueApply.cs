namespace Amber.Cluster.Catalogue;

/// <summary>What applying a shard's new commits to the PostgreSQL catalogue did: frames read, commits skipped as already held, and the shard's new high-water mark.</summary>
public sealed record CatalogueApply(string Shard, int Frames, int Skipped, string Position);

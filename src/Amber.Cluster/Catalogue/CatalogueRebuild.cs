namespace Amber.Cluster.Catalogue;

/// <summary>What rebuilding the PostgreSQL catalogue from the segments did.</summary>
public sealed record CatalogueRebuild(int Frames, long Conversations, long Nodes, long Texts);

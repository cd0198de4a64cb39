namespace Amber.Cluster.Catalogue;

/// <summary>A conversation as the PostgreSQL catalogue lists it.</summary>
public sealed record CatalogueConversation(string Id, string? Title, string Created, string Updated, long Nodes);

namespace Amber.Cluster.Catalogue;

/// <summary>A message the PostgreSQL catalogue's search found: its conversation, the conversation's title, and the rank.</summary>
public sealed record CatalogueHit(string Conversation, string? Title, string Node, double Rank);

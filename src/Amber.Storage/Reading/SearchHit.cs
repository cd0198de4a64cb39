namespace Amber.Storage.Reading;

/// <summary>A message matching a search, with the matched terms marked by « and » in the snippet.</summary>
public sealed record SearchHit(string Conversation, string? Title, string Node, string Role, string Snippet, double Rank);

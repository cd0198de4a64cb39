namespace Amber.Storage.Index;

/// <summary>A node of a conversation as its totals are derived from it: key, parent's key, tier, and its model's name if generated.</summary>
internal readonly record struct ConversationMember(long Key, long? Parent, int Tier, bool Generated, string? ModelName);

namespace Amber.Storage.Reading;

/// <summary>A root-to-leaf path, named by its leaf node.</summary>
public sealed record InstanceSummary(string Id, string Conversation, string? Title, int Depth, string Tier, string Created);

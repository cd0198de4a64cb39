namespace Amber.Storage.Reading;

/// <summary>One line of `amber ls`: what a conversation is and how well it is preserved.</summary>
public sealed record ConversationSummary(
    string Id,
    string Source,
    string Format,
    string SourceId,
    string? Title,
    int Nodes,
    int Instances,
    IReadOnlyList<string> Models,
    string Tier,
    string Created,
    string Updated,
    long RawBytes);

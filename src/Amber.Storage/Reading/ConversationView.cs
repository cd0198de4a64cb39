using Amber.Core.Model;

namespace Amber.Storage.Reading;

/// <summary>A whole conversation read back: its record, every node, its instances and raw sources.</summary>
public sealed record ConversationView(
    ConversationSummary Summary,
    ConversationRecord Record,
    ConversationTree Tree,
    IReadOnlyList<InstanceSummary> Instances,
    IReadOnlyList<string> Raw,
    IReadOnlyDictionary<string, ModelReference> Models);

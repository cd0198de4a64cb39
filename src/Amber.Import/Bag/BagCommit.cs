using System.Text.Json.Nodes;

namespace Amber.Import.Bag;

/// <summary>One line of a bag's data/log/commits.jsonl, checked against its signed entry.</summary>
internal sealed class BagCommit
{
    public required long Seq { get; init; }

    public required byte[] Entry { get; init; }

    public required JsonObject Info { get; init; }

    public required List<(string Id, JsonObject Record, List<string> Nodes, List<string> Raw)> Conversations { get; init; }

    public required List<string> Blobs { get; init; }

    public required List<string> Models { get; init; }

    public required List<string> Annotations { get; init; }
}

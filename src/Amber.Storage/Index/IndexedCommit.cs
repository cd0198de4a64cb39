using System.Text.Json.Nodes;

namespace Amber.Storage.Index;

/// <summary>A durable commit frame, decoded, as the index consumes it (the same whether fresh or replayed).</summary>
internal sealed record IndexedCommit(uint Segment, long Offset, long FrameLength, string InfoId, JsonObject Info, IReadOnlyList<IndexedEntry> Entries);

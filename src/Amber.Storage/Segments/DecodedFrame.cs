using Amber.Storage.Format;

namespace Amber.Storage.Segments;

/// <summary>A commit frame decoded, as the read cache keeps it; for a merged frame, where each of its commits is once asked.</summary>
internal sealed class DecodedFrame(uint segment, long offset, FrameKind kind, byte[] payload)
{
    public uint Segment { get; } = segment;

    public long Offset { get; } = offset;

    public FrameKind Kind { get; } = kind;

    public byte[] Payload { get; } = payload;

    /// <summary>Each commit's seq and its place in <see cref="Payload"/>; null until first needed (merged frames only).</summary>
    public (long Seq, int Start, int Length)[]? Members { get; set; }

    /// <summary>An encrypted frame's blocks this process could not open: where each lies in <see cref="Payload"/> and whose it is (encryption.md §5).</summary>
    public IReadOnlyList<(int Start, int End, string Conversation)> Locked { get; init; } = [];
}

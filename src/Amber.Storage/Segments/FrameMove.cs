namespace Amber.Storage.Segments;

/// <summary>
/// Where one frame, or one commit of a merged frame, of a compacted segment was and is (segment.md §14). Entries of the
/// commit lie at [<paramref name="OldBase"/>, <paramref name="OldBase"/> + <paramref name="Span"/>) of the old frame's
/// decoded payload and at the same place shifted to <paramref name="NewBase"/> in the new one.
/// </summary>
/// <param name="OldLength">The old frame's length, or the commit's share of an old merged frame (the index's <c>commits.length</c>).</param>
/// <param name="NewLength">The same in the new file.</param>
/// <param name="Seq">The commit's sequence number; 0 for a dictionary or checkpoint frame.</param>
internal readonly record struct FrameMove(long Old, long OldLength, long New, long NewLength, int OldBase = 0, int NewBase = 0, int Span = 0, long Seq = 0)
{
    /// <summary>The same move undone: from where the commit is back to where it was.</summary>
    public FrameMove Reversed => new(New, NewLength, Old, OldLength, NewBase, OldBase, Span, Seq);
}

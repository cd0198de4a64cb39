namespace Amber.Storage.Index;

/// <summary>
/// An instance's tier from its path, leaf to root (as <c>TierGrader.GradePath</c>): it is as good as its weakest
/// generated turn. An exact turn (T1, T2) before the leaf counts as T1, since only the leaf's own turn can hold the
/// saved state T1 needs; a path whose worst is T1 but whose leaf is not T1 is T2; a path with no generated turn is T4.
/// One rule for the full refresh (<see cref="IndexRowDeriver"/>) and the incremental one (<see cref="SummaryRefresh"/>).
/// </summary>
internal static class InstanceTier
{
    /// <summary>The worst tier so far after a node on the path (<paramref name="atLeaf"/>: the path's own leaf).</summary>
    public static int Step(int worst, ConversationMember node, bool atLeaf)
        => node.Generated ? Math.Max(worst, !atLeaf && node.Tier <= 2 ? 1 : node.Tier) : worst;

    /// <summary>The path's tier once every node was stepped through.</summary>
    public static int Finish(int worst, int leafTier) => worst switch
    {
        0 => 4,
        1 when leafTier != 1 => 2,
        _ => worst,
    };
}

namespace Amber.Core.Model;

/// <summary>Well-known node flags. Flags are kept as a sorted set of strings so sources can add their own.</summary>
public static class NodeFlags
{
    public const string Hidden = "hidden";
    public const string System = "system";
    public const string Empty = "empty";
    public const string Interrupted = "interrupted";
    public const string Substitute = "substitute";
    public const string Revival = "revival";
    public const string Comparison = "comparison";
}

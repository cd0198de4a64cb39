namespace Amber.Cluster.Shipping;

/// <summary>The rule for a node's name (<c>--node NAME</c>): it names the node's shard prefix, catalogue shard and log origin.</summary>
public static class NodeName
{
    private const string OriginPrefix = "amber.node/";

    /// <summary>Lowercase letters, digits, '-' and '_', 1 to 63 characters, starting with a letter or digit.</summary>
    public static void ThrowIfInvalid(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 63 || !char.IsAsciiLetterOrDigit(name[0])
            || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"the node name '{name}' must be 1 to 63 lowercase letters, digits, '-' and '_', starting with a letter or digit", nameof(name));
        }
    }

    /// <summary>The log origin of a node's shard: <c>amber.node/NAME</c>.</summary>
    public static string Origin(string name)
    {
        ThrowIfInvalid(name);
        return OriginPrefix + name;
    }

    /// <summary>The shard a log origin names: the node's name for <c>amber.node/NAME</c>, else null (an embedded archive).</summary>
    public static string? OfOrigin(string origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        if (!origin.StartsWith(OriginPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var name = origin[OriginPrefix.Length..];
        try
        {
            ThrowIfInvalid(name);
            return name;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

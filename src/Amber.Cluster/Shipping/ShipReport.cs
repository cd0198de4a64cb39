namespace Amber.Cluster.Shipping;

/// <summary>What a shipping pass put: how many objects and bytes, and the shard's position (<c>segment:offset</c>) it shipped up to.</summary>
public sealed record ShipReport(string Node, int Objects, long Bytes, string Position);

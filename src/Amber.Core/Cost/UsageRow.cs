namespace Amber.Core.Cost;

/// <summary>
/// What one tenant spent with one model in one month, as the index sums it: the tokens of the generated turns and the
/// bytes of every node record with that key (user turns carry no model and form their own rows).
/// </summary>
/// <param name="Tenant">The node's <c>meta.tenant</c>, or <see cref="NoTenant"/>.</param>
/// <param name="Model">The model's display name, or <see cref="NoModel"/> for turns no model generated.</param>
/// <param name="Month">YYYY-MM of the node's creation time, or <see cref="Undated"/>.</param>
/// <param name="Turns">Generated turns (nodes with a model).</param>
/// <param name="TurnsWithoutUsage">Generated turns whose usage names no tokens (most chat exports).</param>
/// <param name="NodeBytes">The uncompressed bytes of the node records, the weight the archive's bytes are apportioned by.</param>
public sealed record UsageRow(string Tenant, string Model, string Month, long TokensIn, long TokensOut, long Turns, long TurnsWithoutUsage, long NodeBytes)
{
    /// <summary>Imports, local revivals and gateway calls without a credential have no tenant.</summary>
    public const string NoTenant = "(no tenant)";

    public const string NoModel = "(no model)";

    public const string Undated = "(undated)";
}

namespace Amber.Revive;

/// <summary>How to revive: the backend, who is reviving, the notice, and an override of do-not-revive.</summary>
public sealed record RevivalOptions
{
    public required RevivalBackend Backend { get; init; }

    /// <summary>Who revives (recorded in the lineage and named in the notice).</summary>
    public string By { get; init; } = "an Amber operator";

    /// <summary>The notice text; null uses <see cref="RevivalNotice.Default"/>. {time}, {by}, {model}, {last_active} and {original_model} are filled in.</summary>
    public string? Notice { get; init; }

    /// <summary>Skip the notice: the first user message starts the branch (still flagged and with lineage).</summary>
    public bool NoNotice { get; init; }

    /// <summary>Revive despite a do-not-revive mark; required, and recorded, when the instance is at rest.</summary>
    public string? OverrideRestReason { get; init; }
}

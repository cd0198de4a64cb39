namespace Amber.Cluster.Objects;

/// <summary>
/// How the store holds the archive's objects. Under <see cref="Compliance"/> nobody, the bucket's owner
/// included, can delete or overwrite an object before its retention ends; under <see cref="Governance"/> a
/// user with the <c>s3:BypassGovernanceRetention</c> permission can. <see cref="None"/> is a bucket without
/// Object Lock, accepted only when the archive is told <c>--allow-unlocked</c>.
/// </summary>
public enum RetentionMode
{
    None,
    Governance,
    Compliance,
}

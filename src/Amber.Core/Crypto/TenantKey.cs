namespace Amber.Core.Crypto;

/// <summary>One version of a tenant's key: 32 bytes that wrap the tenant's data keys. It never leaves its key provider in any other form.</summary>
public sealed class TenantKey
{
    public const int Length = 32;

    private readonly byte[] material;

    public TenantKey(string tenant, int version, ReadOnlySpan<byte> material)
    {
        KeyRecordFields.CheckId(tenant, "tenant id");
        if (version < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "a tenant key's version is 1 or more.");
        }

        if (material.Length != Length)
        {
            throw new ArgumentException($"a tenant key is {Length} bytes (got {material.Length}).", nameof(material));
        }

        Tenant = tenant;
        Version = version;
        this.material = material.ToArray();
    }

    public string Tenant { get; }

    public int Version { get; }

    /// <summary>The key bytes (used by <see cref="KeyWrap"/>; a provider stores them).</summary>
    public ReadOnlySpan<byte> Material => material;

    public override string ToString() => $"{Tenant} v{Version}"; // never the key bytes
}

using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amber.Core.Crypto;

namespace Amber.Storage.Keys;

/// <summary>
/// Tenant keys derived from master keys held in environment variables (docs/format/encryption.md §2.2):
/// <c>AMBER_MASTER_KEY_1</c>, <c>AMBER_MASTER_KEY_2</c>, … each 32 bytes in standard base64; the highest number is
/// current. Version v of tenant T's key is HKDF-SHA256(ikm = master v, salt = "amber/tenant-key/v1", info = T), so
/// one secret serves every tenant, a new tenant needs no configuration, and one tenant's key reveals no other's.
/// Nothing is stored: rotating or retiring is done by the operator setting or unsetting a variable.
/// </summary>
public sealed class EnvironmentKeyProvider : IKeyProvider
{
    public const string DefaultPrefix = "AMBER_MASTER_KEY_";

    private static readonly byte[] Salt = "amber/tenant-key/v1"u8.ToArray();

    private readonly SortedDictionary<int, byte[]> masters = [];
    private readonly string prefix;

    /// <param name="variables">The environment (name → value); see <see cref="FromEnvironment"/>.</param>
    /// <param name="prefix">The variables' name before the version number.</param>
    public EnvironmentKeyProvider(IReadOnlyDictionary<string, string> variables, string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        this.prefix = prefix;
        foreach (var (name, value) in variables)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var suffix = name[prefix.Length..];
            if (!int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1
                || version.ToString(CultureInfo.InvariantCulture) != suffix)
            {
                throw new KeyProviderException($"the environment variable {name} does not end in a key version (expected {prefix}1, {prefix}2, …).");
            }

            var material = new byte[TenantKey.Length + 3];
            if (!Convert.TryFromBase64String(value.Trim(), material, out var written) || written != TenantKey.Length)
            {
                throw new KeyProviderException($"the environment variable {name} is not {TenantKey.Length} bytes of standard base64 (make one with: head -c 32 /dev/urandom | base64).");
            }

            masters[version] = material[..TenantKey.Length];
            CryptographicOperations.ZeroMemory(material);
        }
    }

    public string Description => masters.Count == 0
        ? $"env:{prefix}* (none set)"
        : $"env:{prefix}{string.Join(",", masters.Keys)}";

    /// <summary>A provider over this process's environment variables.</summary>
    public static EnvironmentKeyProvider FromEnvironment(string prefix = DefaultPrefix)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                variables[name] = value;
            }
        }

        return new EnvironmentKeyProvider(variables, prefix);
    }

    public TenantKey GetKey(string tenant, int version)
    {
        if (!masters.TryGetValue(version, out var master))
        {
            throw new KeyProviderException($"tenant '{tenant}''s key version {version} needs the environment variable {prefix}{version}, which is not set ({Description}).");
        }

        return Derive(tenant, version, master);
    }

    public bool TryGetCurrentKey(string tenant, out TenantKey key)
    {
        if (masters.Count == 0)
        {
            key = null!;
            return false;
        }

        var (version, master) = masters.Last();
        key = Derive(tenant, version, master);
        return true;
    }

    /// <summary>The tenant's key under the current master: derivation needs nothing stored, so every tenant has one as soon as a master is set.</summary>
    public TenantKey Create(string tenant)
        => TryGetCurrentKey(tenant, out var key)
            ? key
            : throw new KeyProviderException($"no master key is set: set {prefix}1 to 32 random bytes in base64 (head -c 32 /dev/urandom | base64).");

    public TenantKey Rotate(string tenant)
    {
        var next = masters.Count == 0 ? 1 : masters.Keys.Max() + 1;
        throw new KeyProviderException($"the environment key provider cannot write keys: to rotate, set {prefix}{next} to 32 new random bytes in base64 and restart; data keys are then re-wrapped to version {next} (every tenant's key rotates with the master).");
    }

    public void Retire(string tenant, int version)
        => throw new KeyProviderException($"the environment key provider cannot destroy keys: unset {prefix}{version} once no data key is wrapped under version {version}.");

    private static TenantKey Derive(string tenant, int version, byte[] master)
    {
        var material = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, TenantKey.Length, Salt, Encoding.UTF8.GetBytes(tenant));
        try
        {
            return new TenantKey(tenant, version, material);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}

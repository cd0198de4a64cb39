using System.Text;
using Amber.Core.Crypto;

namespace Amber.Storage.Keys;

/// <summary>
/// The text of one tenant's key file (docs/format/encryption.md §2.1):
/// <code>
/// amber-tenant-keys 1
/// tenant TENANT-ID
/// key 1 BASE64-32-BYTES
/// key 2 BASE64-32-BYTES
/// </code>
/// Versions ascend; the last is current. The file name is the tenant id escaped by <see cref="FileName"/>.
/// </summary>
public static class TenantKeyFile
{
    public const string Header = "amber-tenant-keys 1";

    public const string Extension = ".keys";

    /// <summary>The tenant id as a file name: A–Z a–z 0–9 - _ kept, every other UTF-8 byte as %XX, then <c>.keys</c>.</summary>
    public static string FileName(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        var name = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(tenant))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            {
                name.Append(c);
            }
            else
            {
                name.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return name + Extension;
    }

    public static string Format(string tenant, IEnumerable<TenantKey> keys)
    {
        var text = new StringBuilder().Append(Header).Append('\n').Append("tenant ").Append(tenant).Append('\n');
        foreach (var key in keys.OrderBy(k => k.Version))
        {
            text.Append("key ").Append(key.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(' ')
                .Append(Convert.ToBase64String(key.Material)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The keys of <paramref name="text"/>, oldest first; <paramref name="source"/> (the path) and the line number start every error.</summary>
    public static IReadOnlyList<TenantKey> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd('\r') != Header)
        {
            throw new KeyRecordException($"{source}:1: not a tenant key file (the first line is not '{Header}').");
        }

        if (lines.Length < 2 || !lines[1].StartsWith("tenant ", StringComparison.Ordinal) || lines[1].TrimEnd('\r').Length == "tenant ".Length)
        {
            throw new KeyRecordException($"{source}:2: expected 'tenant TENANT-ID'.");
        }

        var tenant = lines[1].TrimEnd('\r')["tenant ".Length..];
        var keys = new List<TenantKey>();
        for (var i = 2; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(' ');
            if (fields.Length != 3 || fields[0] != "key")
            {
                throw new KeyRecordException($"{source}:{i + 1}: expected 'key VERSION BASE64'.");
            }

            if (!int.TryParse(fields[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) || version < 1)
            {
                throw new KeyRecordException($"{source}:{i + 1}: the version '{fields[1]}' is not a whole number of 1 or more.");
            }

            if (keys.Count > 0 && version <= keys[^1].Version)
            {
                throw new KeyRecordException($"{source}:{i + 1}: version {version} follows version {keys[^1].Version} (versions ascend).");
            }

            var material = new byte[TenantKey.Length + 3];
            if (!Convert.TryFromBase64String(fields[2], material, out var written) || written != TenantKey.Length)
            {
                throw new KeyRecordException($"{source}:{i + 1}: key version {version} is not {TenantKey.Length} bytes of standard base64.");
            }

            keys.Add(new TenantKey(tenant, version, material.AsSpan(0, TenantKey.Length)));
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(material);
        }

        if (keys.Count == 0)
        {
            throw new KeyRecordException($"{source}: holds no key for tenant '{tenant}'.");
        }

        return keys;
    }
}

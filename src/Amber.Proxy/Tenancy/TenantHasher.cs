using System.Security.Cryptography;
using System.Text;
using Amber.Storage.FileSystem;
using Microsoft.AspNetCore.Http;

namespace Amber.Proxy.Tenancy;

/// <summary>
/// Names the tenant of a call by a keyed hash of its credential (HMAC-SHA256 with a per-archive
/// secret), so instances group per user without the key ever being stored.
/// </summary>
public sealed class TenantHasher
{
    public const string KeyFile = "gateway/tenant.key";

    private readonly byte[] key;

    public TenantHasher(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("the tenant key must be at least 32 bytes.", nameof(key));
        }

        this.key = key;
    }

    /// <summary>Reads the archive's tenant key, creating it once (32 random bytes, mode 0600, written atomically) when absent.</summary>
    public static TenantHasher ForArchive(string archiveDirectory, IFileSystem fs, Action<Span<byte>> random)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(random);
        var path = System.IO.Path.Combine(archiveDirectory, KeyFile);
        if (!fs.FileExists(path))
        {
            var folder = System.IO.Path.GetDirectoryName(path)!;
            fs.CreateDirectory(folder);
            var fresh = new byte[32];
            random(fresh);
            AtomicFile.Write(fs, path, fresh);
        }

        using var file = fs.OpenRead(path);
        var bytes = new byte[file.Length];
        file.Read(0, bytes);
        return new TenantHasher(bytes);
    }

    /// <summary>The credential a call carries: the bearer token, x-api-key or api-key; null when there is none.</summary>
    public static string? Credential(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var auth = headers.Authorization.ToString();
        if (auth.Length > 0)
        {
            return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : auth.Trim();
        }

        var apiKey = headers["x-api-key"].ToString();
        if (apiKey.Length > 0)
        {
            return apiKey.Trim();
        }

        var azure = headers["api-key"].ToString();
        return azure.Length > 0 ? azure.Trim() : null;
    }

    /// <summary>
    /// The credential of a call: from its headers, else from a query parameter the gateway treats as secret
    /// (<c>?key=</c>, <c>?api-key=</c>, the ones scrubbed from the stored query), so such callers are told apart too.
    /// </summary>
    public static string? Credential(IHeaderDictionary headers, IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Credential(headers)
            ?? query.Where(q => Amber.Proxy.Forwarding.HeaderRules.IsSecret(q.Key) && q.Value.ToString().Length > 0)
                .OrderBy(q => q.Key, StringComparer.Ordinal)
                .Select(q => q.Value.ToString())
                .FirstOrDefault();
    }

    /// <summary><c>tenant:</c> + the first 16 bytes of HMAC-SHA256(key, credential) in hex; null without a credential.</summary>
    public string? Tenant(string? credential)
    {
        if (string.IsNullOrEmpty(credential))
        {
            return null;
        }

        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(credential));
        return "tenant:" + Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }
}

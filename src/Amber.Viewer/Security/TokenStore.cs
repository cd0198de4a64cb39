using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Time;
using Amber.Storage.FileSystem;

namespace Amber.Viewer.Security;

/// <summary>
/// The archive's access tokens, in <c>access/tokens.json</c> under the archive folder: not derived state (an index
/// rebuild leaves it alone) and not exported in a bag. Each token is <c>amber_ID_SECRET</c> with a 256-bit random secret;
/// the file keeps only a per-token salt and SHA-256(salt ‖ secret), written whole (AtomicFile, owner-only before the
/// first byte). A server checks tokens against the file as it is now: it re-reads the file whenever its modification
/// time or length changed, so a revocation holds from the next request.
/// </summary>
public sealed class TokenStore
{
    public const string RelativePath = "access/tokens.json";
    private const string Prefix = "amber_";
    private const int IdBytes = 8;
    private const int SecretBytes = 32;
    private readonly string path;
    private readonly TimeProvider time;
    private readonly Action<Span<byte>> random;
    private readonly Lock gate = new();
    private (DateTime Written, long Length)? stamp;
    private Dictionary<string, StoredToken> cached = new(StringComparer.Ordinal);

    public TokenStore(string archiveDirectory, TimeProvider time, Action<Span<byte>> random)
    {
        ArgumentException.ThrowIfNullOrEmpty(archiveDirectory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        path = System.IO.Path.Combine(archiveDirectory, RelativePath);
        this.time = time;
        this.random = random;
    }

    /// <summary>The store's file.</summary>
    public string Path => path;

    /// <summary>Why <paramref name="tenant"/> cannot name a tenant, or null: 1–128 letters, digits and <c>-_.:@</c> (the gateway's own tenants are <c>tenant:HEX</c>).</summary>
    public static string? TenantProblem(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.Length is 0 or > 128 || !tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@')
            ? $"the tenant \"{tenant}\" must be 1 to 128 letters, digits and -_.:@"
            : null;
    }

    /// <summary>True when <paramref name="token"/> has the shape of this store's tokens (not of a server's <c>--token</c>).</summary>
    public static bool IsStoreToken(string token) => TryParse(token, out _, out _);

    /// <summary>Creates a token, stores its salted hash, and returns the token (shown once).</summary>
    public IssuedToken Create(string tenant, TokenScope scope, DateTimeOffset? expires)
    {
        if (TenantProblem(tenant) is { } problem)
        {
            throw new ArgumentException(problem, nameof(tenant));
        }

        var now = time.GetUtcNow();
        if (expires is { } e && e <= now)
        {
            throw new ArgumentException($"the expiry {Timestamps.Format(e)} is not in the future", nameof(expires));
        }

        Span<byte> bytes = stackalloc byte[IdBytes + SecretBytes + 16];
        random(bytes);
        var id = Convert.ToHexStringLower(bytes[..IdBytes]);
        var secret = Base64Url(bytes.Slice(IdBytes, SecretBytes));
        var salt = bytes[(IdBytes + SecretBytes)..].ToArray();
        var stored = new StoredToken(id, tenant, scope, Timestamps.Format(now), expires is { } x ? Timestamps.Format(x) : null, null, salt, Hash(salt, secret));
        lock (gate)
        {
            var all = Load().Values.ToList();
            all.Add(stored);
            Save(all);
        }

        return new IssuedToken(Prefix + id + "_" + secret, stored);
    }

    /// <summary>Every token, revoked and expired ones included, oldest first.</summary>
    public IReadOnlyList<StoredToken> List()
    {
        lock (gate)
        {
            return [.. Load().Values.OrderBy(t => t.Created, StringComparer.Ordinal).ThenBy(t => t.Id, StringComparer.Ordinal)];
        }
    }

    /// <summary>Marks the token revoked (from now on it opens nothing). False when there is no such id.</summary>
    public bool Revoke(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (gate)
        {
            var all = Load();
            if (!all.TryGetValue(id, out var token))
            {
                return false;
            }

            if (token.Revoked is null)
            {
                all[id] = token with { Revoked = Timestamps.Format(time.GetUtcNow()) };
                Save(all.Values);
            }

            return true;
        }
    }

    /// <summary>What <paramref name="presented"/> grants now, or null when it is not a live token of this store (unknown, wrong, revoked or expired).</summary>
    public AccessGrant? Authenticate(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        if (!TryParse(presented, out var id, out var secret))
        {
            return null;
        }

        StoredToken? token;
        lock (gate)
        {
            token = Load().GetValueOrDefault(id);
        }

        if (token is null || token.Revoked is not null || !CryptographicOperations.FixedTimeEquals(Hash(token.Salt, secret), token.Hash))
        {
            return null;
        }

        if (token.Expires is not null && Timestamps.Parse(token.Expires) is { } expires && time.GetUtcNow() >= expires)
        {
            return null;
        }

        return new AccessGrant(token.Scope, token.Tenant, token.Id);
    }

    /// <summary>The tokens as the file holds them now: re-read when its modification time or length changed. Call under <see cref="gate"/>.</summary>
    private Dictionary<string, StoredToken> Load()
    {
        var info = new FileInfo(path);
        (DateTime, long)? now = info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
        if (now == stamp)
        {
            return cached;
        }

        var tokens = new Dictionary<string, StoredToken>(StringComparer.Ordinal);
        if (info.Exists)
        {
            try
            {
                var root = JsonNode.Parse(File.ReadAllBytes(path))!.AsObject();
                foreach (var t in root["tokens"]!.AsArray())
                {
                    var o = t!.AsObject();
                    var token = new StoredToken(
                        o["id"]!.GetValue<string>(), o["tenant"]!.GetValue<string>(), ParseScope(o["scope"]!.GetValue<string>()),
                        o["created"]!.GetValue<string>(), o["expires"]?.GetValue<string>(), o["revoked"]?.GetValue<string>(),
                        Convert.FromBase64String(o["salt"]!.GetValue<string>()), Convert.FromBase64String(o["sha256"]!.GetValue<string>()));
                    tokens[token.Id] = token;
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"The token store {path} cannot be read ({e.Message}); restore it from a backup or delete it and create tokens anew.", e);
            }
        }

        cached = tokens;
        stamp = now;
        return tokens;
    }

    private void Save(IEnumerable<StoredToken> tokens)
    {
        var array = new JsonArray();
        foreach (var t in tokens)
        {
            array.Add(new JsonObject
            {
                ["id"] = t.Id,
                ["tenant"] = t.Tenant,
                ["scope"] = ScopeName(t.Scope),
                ["created"] = t.Created,
                ["expires"] = t.Expires,
                ["revoked"] = t.Revoked,
                ["salt"] = Convert.ToBase64String(t.Salt),
                ["sha256"] = Convert.ToBase64String(t.Hash),
            });
        }

        var json = new JsonObject { ["version"] = 1, ["tokens"] = array };
        OwnerOnly.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"));
        stamp = null; // the next read takes the file as written
    }

    /// <summary>The scope's name as the CLI and the JSON spell it.</summary>
    public static string ScopeName(TokenScope scope) => scope switch
    {
        TokenScope.Read => "read",
        TokenScope.Capture => "capture",
        TokenScope.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(scope)),
    };

    /// <summary>read, capture or admin.</summary>
    public static TokenScope ParseScope(string name) => name switch
    {
        "read" => TokenScope.Read,
        "capture" => TokenScope.Capture,
        "admin" => TokenScope.Admin,
        _ => throw new ArgumentException($"the scope \"{name}\" must be read, capture or admin", nameof(name)),
    };

    private static bool TryParse(string token, out string id, out string secret)
    {
        id = secret = "";
        var idEnd = Prefix.Length + (IdBytes * 2);
        if (token.Length <= idEnd + 1 || !token.StartsWith(Prefix, StringComparison.Ordinal) || token[idEnd] != '_')
        {
            return false;
        }

        id = token[Prefix.Length..idEnd];
        secret = token[(idEnd + 1)..];
        return id.All(char.IsAsciiHexDigitLower);
    }

    private static byte[] Hash(byte[] salt, string secret)
    {
        var bytes = new byte[salt.Length + Encoding.UTF8.GetByteCount(secret)];
        salt.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(secret, bytes.AsSpan(salt.Length));
        return SHA256.HashData(bytes);
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// An expiry given as a duration from <paramref name="now"/> (<c>30d</c>, <c>12h</c>, <c>45m</c>) or an RFC 3339 time.
    /// Null with <paramref name="problem"/> set when it is neither.
    /// </summary>
    public static DateTimeOffset? ParseExpiry(string text, DateTimeOffset now, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = null;
        if (text.Length >= 2 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 100_000)
        {
            TimeSpan? span = text[^1] switch { 'd' => TimeSpan.FromDays(n), 'h' => TimeSpan.FromHours(n), 'm' => TimeSpan.FromMinutes(n), _ => null };
            if (span is { } s)
            {
                return now + s;
            }
        }

        if (Timestamps.TryParse(text, out var at))
        {
            return at;
        }

        problem = $"--expires \"{text}\" must be a duration (30d, 12h, 45m) or an RFC 3339 time (2027-01-31T00:00:00Z)";
        return null;
    }
}

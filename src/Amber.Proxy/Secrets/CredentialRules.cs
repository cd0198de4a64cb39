namespace Amber.Proxy.Secrets;

/// <summary>What counts as a credential in a request body, and what replaces one in storage (docs/format/raw-exchange.md §3).</summary>
internal static class CredentialRules
{
    /// <summary>Stands in the stored copy wherever a credential was.</summary>
    public const string Marker = "[redacted]";

    /// <summary>Credentials shorter than this are withheld where they stand, but not searched for elsewhere (too likely to be ordinary text).</summary>
    public const int MinEchoLength = 8;

    /// <summary>Member names (lower case, without <c>-</c> and <c>_</c>) that are credentials wherever they stand.</summary>
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "token", "auth", "authorization", "cookie", "bearer", "passphrase",
    };

    /// <summary>Name endings that make a credential: <c>api_key</c>, <c>x-api-key</c>, <c>access_token</c>, <c>authorization_token</c>, <c>client_secret</c>…</summary>
    private static readonly string[] Endings =
    [
        "apikey", "accesskey", "secretkey", "privatekey", "signingkey", "subscriptionkey",
        "accesstoken", "authtoken", "authorizationtoken", "bearertoken", "refreshtoken", "sessiontoken", "idtoken", "apitoken", "securitytoken",
        "authorization", "credential", "credentials",
    ];

    /// <summary>Fragments that make a credential anywhere in a name: <c>secret</c>, <c>password</c>, <c>passwd</c>.</summary>
    private static readonly string[] Fragments = ["secret", "password", "passwd"];

    /// <summary>Prefixes of provider keys and bearer tokens, recognised in any string value outside the conversation.</summary>
    private static readonly string[] KeyPrefixes = ["sk-", "sk_", "rk_", "pk_live_", "ghp_", "gho_", "github_pat_", "xoxb-", "xoxp-", "AIza", "glpat-", "hf_"];

    /// <summary>True for a JSON member name whose string value is a credential (<c>max_tokens</c>, <c>prompt_cache_key</c> are not).</summary>
    public static bool IsCredentialName(string name)
    {
        var n = Normalize(name);
        return Names.Contains(n) || Endings.Any(e => n.EndsWith(e, StringComparison.Ordinal)) || Fragments.Any(f => n.Contains(f, StringComparison.Ordinal));
    }

    /// <summary>True for a value shaped like a provider key or bearer token: a known prefix (or <c>Bearer </c>) and 16 or more key characters after it, nothing else.</summary>
    public static bool LooksLikeKey(string value)
    {
        var v = value.Trim();
        if (v.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            // One token after the scheme: "Bearer tokens are …" in a description is prose, not a credential.
            var token = v[7..].Trim();
            return token.Length >= 16 && token.All(c => IsKeyChar(c) || c is '+' or '/' or '=' or '~');
        }

        foreach (var prefix in KeyPrefixes)
        {
            if (v.StartsWith(prefix, StringComparison.Ordinal) && v.Length >= prefix.Length + 16 && v.Skip(prefix.Length).All(IsKeyChar))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private static string Normalize(string name)
        => string.Concat(name.Where(c => c is not ('-' or '_' or ' ' or '.'))).ToLowerInvariant();
}

namespace Amber.Proxy.Forwarding;

/// <summary>Which headers are forwarded, and which never reach storage.</summary>
internal static class HeaderRules
{
    /// <summary>Connection-level headers (RFC 9110 §7.6.1) that a proxy does not forward.</summary>
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    /// <summary>Credentials by name. Anything matching <see cref="SecretFragments"/> is dropped as well.</summary>
    private static readonly HashSet<string> Secrets = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "x-api-key", "api-key", "Cookie", "Set-Cookie", "Set-Cookie2",
        "x-goog-api-key", "ocp-apim-subscription-key", "openai-organization", "openai-project", "anthropic-admin-key",
    };

    private static readonly string[] SecretFragments = ["key", "token", "secret", "auth", "cookie", "password", "credential", "session", "signature"];

    public static bool IsHopByHop(string name) => HopByHop.Contains(name);

    /// <summary>The header names a message's <c>Connection</c> header lists: hop-by-hop for that message too (RFC 9110 §7.6.1).</summary>
    public static HashSet<string> ConnectionListed(IEnumerable<string?> connection)
        => connection.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Request headers not copied onto the upstream request: hop-by-hop ones, and those HttpClient sets itself.</summary>
    public static bool SkipOnRequest(string name)
        => HopByHop.Contains(name) || string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for a header whose value must never be stored (credentials, cookies, anything that looks like one).</summary>
    public static bool IsSecret(string name)
    {
        if (Secrets.Contains(name))
        {
            return true;
        }

        foreach (var fragment in SecretFragments)
        {
            if (name.Contains(fragment, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A query string with every parameter whose name looks like a credential removed (Azure-style <c>?api-key=</c>).</summary>
    public static string ScrubQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return "";
        }

        var kept = query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !IsSecret(Uri.UnescapeDataString(p.Split('=', 2)[0])));
        var joined = string.Join('&', kept);
        return joined.Length == 0 ? "" : "?" + joined;
    }
}

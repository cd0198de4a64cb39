namespace Amber.Proxy.Forwarding;

/// <summary>Which headers are forwarded, and which are stored: an allow-list, so anything unforeseen never reaches storage.</summary>
internal static class HeaderRules
{
    /// <summary>Connection-level headers (RFC 9110 §7.6.1) that a proxy does not forward.</summary>
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    /// <summary>Names that look like a credential: their values are searched for in stored bodies, and a query parameter so named gives the tenant.</summary>
    private static readonly string[] SecretFragments = ["key", "token", "secret", "auth", "cookie", "pass", "credential", "session", "signature", "sig"];

    /// <summary>Request headers kept in the raw exchange; every other one is dropped, its name listed (docs/format/raw-exchange.md §3).</summary>
    private static readonly HashSet<string> StoredRequest = new(StringComparer.OrdinalIgnoreCase)
    {
        "accept", "accept-encoding", "accept-language", "content-type", "content-encoding", "user-agent",
        "anthropic-version", "anthropic-beta", "openai-beta", "idempotency-key",
        "x-request-id", "x-client-request-id", "x-ms-client-request-id", "x-ms-useragent",
    };

    /// <summary>Response headers kept: the format, the API version, request ids, timing and rate-limit metadata.</summary>
    private static readonly HashSet<string> StoredResponse = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "content-encoding", "content-length", "content-language", "date", "server", "cache-control",
        "openai-version", "openai-processing-ms", "openai-model", "x-request-id", "request-id",
        "retry-after", "retry-after-ms", "x-should-retry", "cf-ray", "cf-cache-status", "x-envoy-upstream-service-time",
        "x-ms-region", "x-ms-client-request-id", "apim-request-id",
    };

    /// <summary>Header name prefixes kept: the SDKs' own telemetry (request side), rate limits (response side).</summary>
    private static readonly string[] StoredRequestPrefixes = ["x-stainless-"];

    private static readonly string[] StoredResponsePrefixes = ["x-ratelimit-", "anthropic-ratelimit-"];

    /// <summary>Query parameters kept; any other is dropped and its name listed.</summary>
    private static readonly HashSet<string> StoredQueryNames = new(StringComparer.OrdinalIgnoreCase) { "api-version", "beta", "stream", "include", "include[]" };

    public static bool IsHopByHop(string name) => HopByHop.Contains(name);

    /// <summary>The header names a message's <c>Connection</c> header lists: hop-by-hop for that message too (RFC 9110 §7.6.1).</summary>
    public static HashSet<string> ConnectionListed(IEnumerable<string?> connection)
        => connection.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Request headers not copied onto the upstream request: hop-by-hop ones, those HttpClient sets itself, and Amber's own token.</summary>
    public static bool SkipOnRequest(string name)
        => HopByHop.Contains(name) || string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, Amber.Core.Hosting.AspNet.CaptureTenant.Header, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for a request header kept in the raw exchange (allow-list).</summary>
    public static bool IsStoredRequestHeader(string name)
        => StoredRequest.Contains(name) || StoredRequestPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for a response header kept in the raw exchange (allow-list).</summary>
    public static bool IsStoredResponseHeader(string name)
        => StoredResponse.Contains(name) || StoredResponsePrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for a name that looks like a credential (<c>x-api-key</c>, <c>?sig=</c>, <c>X-Api-Pass</c>): its value is withheld from every stored body too.</summary>
    public static bool IsSecret(string name)
    {
        foreach (var fragment in SecretFragments)
        {
            if (name.Contains(fragment, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The query string as stored: only allow-listed parameters, in order. The dropped parameters' names are
    /// listed (a name that itself looks like a key is listed as the marker) and their values returned so that
    /// echoes of them can be withheld; the values are never stored.
    /// </summary>
    public static (string Kept, List<string> DroppedNames, List<string> DroppedValues) StoredQuery(string query)
    {
        var kept = new List<string>();
        var names = new List<string>();
        var values = new List<string>();
        foreach (var pair in (query ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var name = Unescape(parts[0]);
            if (StoredQueryNames.Contains(name))
            {
                kept.Add(pair);
                continue;
            }

            names.Add(name.Length <= 64 && !Secrets.CredentialRules.LooksLikeKey(name) ? name : Secrets.CredentialRules.Marker);
            values.Add(parts.Length == 2 ? Unescape(parts[1]) : name);
        }

        return (kept.Count == 0 ? "" : "?" + string.Join('&', kept), names, values);
    }

    private static string Unescape(string s)
    {
        try
        {
            return Uri.UnescapeDataString(s.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return s;
        }
    }
}

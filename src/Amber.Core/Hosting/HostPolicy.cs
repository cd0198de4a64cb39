using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Amber.Core.Hosting;

/// <summary>
/// Which <c>Host</c> and <c>Origin</c> headers Amber's servers answer. A browser can be made to send a
/// request to a loopback port under a name an attacker controls (DNS rebinding), so every request must
/// name a loopback host (<c>localhost</c>, <c>*.localhost</c>, a 127.0.0.0/8 or <c>::1</c> literal), the
/// listen address itself when it is a specific IP, or a name given with <c>--host-name</c>; any port.
/// A request that changes state (any method but GET, HEAD, OPTIONS) and carries an <c>Origin</c> must come
/// from the origin it is addressed to, or from a configured name (behind a TLS proxy the public port
/// differs); anything else is a page of another site writing through the user's browser.
/// </summary>
public sealed class HostPolicy
{
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly IPAddress? listen;

    public HostPolicy(IPEndPoint listen, IEnumerable<string>? hostNames = null)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var address = Unmapped(listen.Address);
        this.listen = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || IPAddress.IsLoopback(address) ? null : address;
        foreach (var name in hostNames ?? [])
        {
            names.Add(NormalizeHostName(name));
        }
    }

    /// <summary>The accepted hosts, as the refusal names them.</summary>
    public string Describe()
    {
        var list = new List<string> { "localhost", "*.localhost", "127.0.0.0/8", "[::1]" };
        if (listen is not null)
        {
            list.Add(Format(listen));
        }

        list.AddRange(names.Order(StringComparer.Ordinal));
        return string.Join(", ", list);
    }

    /// <summary>A <c>--host-name</c> value as compared (lower case, no trailing dot); a <see cref="FormatException"/> for anything that is not a bare host name or IP.</summary>
    public static string NormalizeHostName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        if (trimmed.StartsWith('[') && trimmed.EndsWith(']') && IPAddress.TryParse(trimmed[1..^1], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return Format(Unmapped(v6));
        }

        var host = trimmed.TrimEnd('.').ToLowerInvariant();
        if (host.Length == 0 || host.Length > 253 || Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
        {
            throw new FormatException($"--host-name expects a host name as clients write it in URLs, without scheme or port (for example archive.example.org), not \"{name}\".");
        }

        return host;
    }

    /// <summary>Decides one request from its method, <c>Host</c> and <c>Origin</c> headers.</summary>
    public RequestVerdict Check(string method, string? host, string? origin, bool https)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (!TrySplit(host, out var name, out var port) || !AcceptsName(name))
        {
            return RequestVerdict.MisdirectedHost;
        }

        if (origin is null || IsSafe(method))
        {
            return RequestVerdict.Accepted;
        }

        return AcceptsOrigin(origin, name, port ?? (https ? 443 : 80)) ? RequestVerdict.Accepted : RequestVerdict.ForeignOrigin;
    }

    /// <summary>The plain-text body of a 421 answer.</summary>
    public string MisdirectedMessage(string? host)
        => $"Amber does not answer for the host \"{host}\" (Host header). It answers for {Describe()}, on any port; "
            + "to reach it under another name (a reverse proxy, another machine), start it with --host-name NAME.\n";

    /// <summary>The plain-text body of a 403 answer to a cross-site write.</summary>
    public static string ForeignOriginMessage(string origin)
        => $"Amber refuses this request: it changes state and comes from a page of another origin (Origin: {origin}). "
            + "Clients that are not browsers send no Origin header; a page must be served from the host it writes to, or from a name given with --host-name.\n";

    private static bool IsSafe(string method)
        => string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase)
            || string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase)
            || string.Equals(method, "OPTIONS", StringComparison.OrdinalIgnoreCase);

    private bool AcceptsName(string name)
    {
        if (name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal) || names.Contains(name))
        {
            return true;
        }

        if (!IPAddress.TryParse(name.Trim('[', ']'), out var address))
        {
            return false;
        }

        address = Unmapped(address);
        return IPAddress.IsLoopback(address) || address.Equals(listen) || names.Contains(Format(address));
    }

    private bool AcceptsOrigin(string origin, string hostName, int hostPort)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery is not ("" or "/") || uri.UserInfo.Length > 0)
        {
            return false; // "null" (sandboxed frames, file: pages) and anything malformed
        }

        var name = NormalizeName(uri.Host);
        return (name == hostName && uri.Port == hostPort) || names.Contains(name);
    }

    /// <summary>Splits a Host header into its lower-case name (IPs in their canonical form, IPv6 in brackets) and its port.</summary>
    private static bool TrySplit(string? host, out string name, out int? port)
    {
        name = "";
        port = null;
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        string rest;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            name = host[..(close + 1)];
            rest = host[(close + 1)..];
        }
        else
        {
            var colon = host.IndexOf(':', StringComparison.Ordinal);
            name = colon < 0 ? host : host[..colon];
            rest = colon < 0 ? "" : host[colon..];
        }

        if (rest.Length > 0)
        {
            if (rest[0] != ':' || !int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535)
            {
                return false;
            }

            port = p;
        }

        name = NormalizeName(name);
        return name.Length > 0;
    }

    private static string NormalizeName(string name)
    {
        var lower = name.TrimEnd('.').ToLowerInvariant();
        return lower.StartsWith('[') && IPAddress.TryParse(lower.Trim('[', ']'), out var v6) ? Format(Unmapped(v6)) : lower;
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string Format(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}

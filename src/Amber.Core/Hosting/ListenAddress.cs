using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Amber.Core.Hosting;

/// <summary>The <c>--listen HOST:PORT</c> value of Amber's servers (the viewer host and the gateway).</summary>
public static class ListenAddress
{
    /// <summary>
    /// HOST:PORT with an IP address (IPv6 in brackets) or localhost; port 0 picks a free one. An
    /// IPv4-mapped IPv6 address (<c>[::ffff:127.0.0.1]</c>) means its IPv4 address, so a mapped loopback is
    /// loopback. Anything else that cannot be listened on is a <see cref="FormatException"/> naming the value.
    /// </summary>
    public static IPEndPoint Parse(string listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var colon = listen.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(listen.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"--listen expects HOST:PORT (for example 127.0.0.1:8080), not \"{listen}\".");
        }

        var host = listen[..colon];
        if (host == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        var bracketed = host.StartsWith('[') && host.EndsWith(']') && host.Length > 2;
        if (host.Contains('[', StringComparison.Ordinal) || host.Contains(']', StringComparison.Ordinal) ? !bracketed : host.Contains(':', StringComparison.Ordinal))
        {
            throw new FormatException($"--listen: \"{listen}\" is not HOST:PORT; write an IPv6 address in brackets, as [::1]:8080.");
        }

        var literal = bracketed ? host[1..^1] : host;
        if (!IPAddress.TryParse(literal, out var address) || address.AddressFamily != (bracketed ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork) || (!bracketed && !IsDottedQuad(literal)))
        {
            throw new FormatException($"--listen: \"{host}\" is not an IP address (write IPv4 as four numbers, 127.0.0.1, and IPv6 in brackets, [::1]) or localhost.");
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 ? address.IsIPv6Multicast : (address.GetAddressBytes()[0] >= 224))
        {
            throw new FormatException($"--listen: {address} is a multicast or broadcast address; a server listens on a unicast address such as 127.0.0.1.");
        }

        return new IPEndPoint(address, port);
    }

    private static bool IsDottedQuad(string literal)
    {
        var parts = literal.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }
}

using System.Globalization;
using System.Net;

namespace Amber.Core.Hosting;

/// <summary>The <c>--listen HOST:PORT</c> value of Amber's servers (the viewer host and the gateway).</summary>
public static class ListenAddress
{
    /// <summary>HOST:PORT with an IP address (IPv6 in brackets) or localhost; port 0 picks a free one.</summary>
    public static IPEndPoint Parse(string listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var colon = listen.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(listen.AsSpan(colon + 1), CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            throw new FormatException($"--listen expects HOST:PORT (for example 127.0.0.1:8080), not \"{listen}\".");
        }

        var host = listen[..colon].Trim('[', ']');
        if (host == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(host, out var address)
            ? new IPEndPoint(address, port)
            : throw new FormatException($"--listen: \"{host}\" is not an IP address.");
    }
}

using System.Net.Sockets;
using System.Text;

namespace Amber.Testing;

/// <summary>
/// HTTP/1.1 over a plain socket, for requests HttpClient would not send as written: odd path spellings
/// (<c>//host/</c>, <c>/%761</c>), any <c>Host</c>, broken chunk framing. The request should ask for
/// <c>Connection: close</c>; the answer is read to the end of the connection.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string Head, string Body)
    {
        /// <summary>The value of the first header named <paramref name="name"/>, or null.</summary>
        public string? Header(string name)
            => Head.Split("\r\n").Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => p[1].Trim()).FirstOrDefault();
    }

    public static Task<Answer> SendAsync(Uri server, string request, CancellationToken ct) => SendAsync(server, Encoding.ASCII.GetBytes(request), ct);

    public static async Task<Answer> SendAsync(Uri server, byte[] request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, ct);
        var stream = client.GetStream();
        await stream.WriteAsync(request, ct);
        await stream.FlushAsync(ct);
        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, ct);
        }
        catch (IOException)
        {
            // A server that refuses a body it has not read may reset the connection after its answer.
        }

        var text = Encoding.UTF8.GetString(received.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? text : text[..end];
        var body = end < 0 ? "" : text[(end + 4)..];
        var status = head.Length > 12 && int.TryParse(head.AsSpan(9, 3), out var s) ? s : 0;
        return new Answer(status, head, body);
    }
}

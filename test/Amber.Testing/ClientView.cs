using System.Text;

namespace Amber.Testing;

/// <summary>
/// What a client saw of one streamed chat call: the status (null when no response came), the body bytes it read,
/// and whether reading failed (a reset). An endless answer is read to <c>readLimit</c> bytes and then left.
/// </summary>
public sealed record ClientView(int? Status, byte[] Body, bool Failed)
{
    public const string Request = """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>
    /// How the view through the gateway (<paramref name="via"/>) differs from the view of the upstream itself
    /// (<paramref name="direct"/>), or null when it does not: the same status, bytes and failure, except that an
    /// upstream that answers nothing is the documented 502 with an <c>amber_upstream_failed</c> error.
    /// </summary>
    public static string? Differs(ClientView direct, ClientView via)
    {
        ArgumentNullException.ThrowIfNull(direct);
        ArgumentNullException.ThrowIfNull(via);
        if (direct.Status is null)
        {
            return via.Status == 502 && via.Text.Contains("amber_upstream_failed", StringComparison.Ordinal)
                ? null
                : $"the upstream answered nothing, so the gateway must answer 502 amber_upstream_failed; it answered {via.Status}: {via.Text}";
        }

        if (direct.Status != via.Status || direct.Failed != via.Failed || !direct.Body.AsSpan().SequenceEqual(via.Body))
        {
            return $"directly: {direct.Status}, failed {direct.Failed}, {direct.Body.Length} bytes; through the gateway: {via.Status}, failed {via.Failed}, {via.Body.Length} bytes ({via.Text[..Math.Min(200, via.Text.Length)]})";
        }

        return null;
    }

    public static async Task<ClientView> FetchAsync(HttpClient http, Uri baseUrl, int readLimit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "/v1/chat/completions"))
        {
            Content = new StringContent(Request, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Authorization", "Bearer sk-test-fault-matrix-0123456789");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return new ClientView(null, [], Failed: true);
        }

        using (response)
        {
            var body = new MemoryStream();
            var buffer = new byte[4096];
            try
            {
                using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                while (body.Length < readLimit)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, readLimit - body.Length)), ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    body.Write(buffer, 0, n);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                return new ClientView((int)response.StatusCode, body.ToArray(), Failed: true);
            }

            return new ClientView((int)response.StatusCode, body.ToArray(), Failed: false);
        }
    }
}

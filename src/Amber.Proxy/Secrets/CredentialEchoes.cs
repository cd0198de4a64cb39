using System.Buffers;
using System.Text;
using Amber.Proxy.Forwarding;
using Microsoft.AspNetCore.Http;

namespace Amber.Proxy.Secrets;

/// <summary>
/// The exact credential strings one call carried (its key, other withheld header and query values, the
/// values scrubbed from its body). Any stored body that repeats one, such as an upstream error quoting the
/// key it refused, gets the marker in its place. Runs on whole bodies, after a stream was assembled, so a
/// key split across reads is still found.
/// </summary>
internal sealed class CredentialEchoes
{
    private static readonly byte[] MarkerBytes = Encoding.UTF8.GetBytes(CredentialRules.Marker);
    private readonly HashSet<string> values = new(StringComparer.Ordinal);

    /// <summary>
    /// The credentials of one request: values of the headers it sent under a credential-like name (Authorization,
    /// x-api-key, cookies, X-Api-Pass…), of the query parameters dropped from storage, and of the body members scrubbed.
    /// </summary>
    public static CredentialEchoes ForRequest(IHeaderDictionary headers, IEnumerable<string> droppedQueryValues, IEnumerable<string> bodyValues)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var echoes = new CredentialEchoes();
        foreach (var (name, values) in headers)
        {
            if (HeaderRules.IsSecret(name) && !HeaderRules.IsStoredRequestHeader(name))
            {
                foreach (var v in values)
                {
                    echoes.AddHeaderValue(name, v);
                }
            }
        }

        foreach (var v in droppedQueryValues)
        {
            echoes.Add(v);
        }

        foreach (var v in bodyValues)
        {
            echoes.Add(v);
        }

        return echoes;
    }

    /// <summary>Adds a credential; values shorter than <see cref="CredentialRules.MinEchoLength"/> are ignored (ordinary words would match).</summary>
    public void Add(string? value)
    {
        var v = value?.Trim();
        if (v is { Length: >= CredentialRules.MinEchoLength })
        {
            values.Add(v);
        }
    }

    /// <summary>Adds a header value: whole, and the credential after an auth scheme (<c>Bearer TOKEN</c>) or in each cookie (<c>a=TOKEN; b=…</c>).</summary>
    public void AddHeaderValue(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        Add(value);
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0)
        {
            Add(value[(space + 1)..]);
        }

        if (name.Contains("cookie", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var pair in value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                Add(eq < 0 ? pair : pair[(eq + 1)..]);
            }
        }
    }

    /// <summary><paramref name="body"/> with every occurrence of a credential replaced by the marker (the same memory when there is none), and how many were replaced.</summary>
    public (ReadOnlyMemory<byte> Bytes, int Count) Redact(ReadOnlyMemory<byte> body)
    {
        if (values.Count == 0)
        {
            return (body, 0);
        }

        byte[]? current = null;
        var count = 0;
        // Longest first, so a credential containing a shorter one is replaced whole.
        foreach (var secret in values.OrderByDescending(v => v.Length).ThenBy(v => v, StringComparer.Ordinal))
        {
            var needle = Encoding.UTF8.GetBytes(secret);
            var source = current is null ? body.Span : current;
            var at = source.IndexOf(needle);
            if (at < 0)
            {
                continue;
            }

            var output = new ArrayBufferWriter<byte>(source.Length);
            while (at >= 0)
            {
                output.Write(source[..at]);
                output.Write(MarkerBytes);
                count++;
                source = source[(at + needle.Length)..];
                at = source.IndexOf(needle);
            }

            output.Write(source);
            current = output.WrittenSpan.ToArray();
        }

        return (current ?? body, count);
    }

    /// <summary>Text with every credential replaced by the marker (header values, error messages).</summary>
    public string Redact(string text)
    {
        foreach (var secret in values.OrderByDescending(v => v.Length))
        {
            text = text.Replace(secret, CredentialRules.Marker, StringComparison.Ordinal);
        }

        return text;
    }
}

using System.Security.Cryptography;
using System.Text;
using Amber.Core.Hosting;
using Amber.Core.Hosting.AspNet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Security;

/// <summary>
/// The server's own access token (<c>amber serve --token</c>, generated when it listens beyond loopback): an admin
/// token of no tenant, checked by <see cref="AccessCheck"/> beside the archive's <see cref="TokenStore"/>. How tokens
/// look, and the rules the check shares: the cookie, the <c>?token=</c> parameter and the same-site redirect.
/// </summary>
public static class AccessToken
{
    public const string CookieName = AmberCookie.Token;
    public const string QueryName = "token";

    /// <summary>The shortest token accepted: 32 characters of base64 carry 192 bits, hex 128.</summary>
    public const int MinimumLength = 32;

    /// <summary>
    /// Why <paramref name="token"/> cannot be an access token, or null when it can: at least
    /// <see cref="MinimumLength"/> characters, only letters, digits and <c>-._~+/=</c> (base64, base64url,
    /// hex, UUIDs: safe in a header, a cookie and a URL), and not a few characters repeated.
    /// </summary>
    public static string? Problem(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length < MinimumLength)
        {
            return $"the access token is {token.Length} characters long; it must have at least {MinimumLength} (a random one: `openssl rand -base64 32`, or leave it out to have one generated)";
        }

        if (!token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/' or '='))
        {
            return "the access token may hold only letters, digits and -._~+/= (it travels in a header, a cookie and a URL)";
        }

        return token.Distinct().Count() < 8 ? "the access token repeats too few characters to be secret; use a random one" : null;
    }

    /// <summary>A new random token (32 bytes, base64url) from <paramref name="random"/>.</summary>
    public static string Create(Action<Span<byte>> random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[32];
        random(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>
    /// A redirect target that stays on this origin whatever the path: one leading slash (<c>//host/</c>
    /// would be protocol-relative, off-site) and every character outside a path segment escaped
    /// (<c>/\host/</c> is read as <c>//host/</c> by browsers).
    /// </summary>
    internal static string SameSitePath(PathString path)
    {
        var escaped = path.ToUriComponent().Replace("\\", "%5C", StringComparison.Ordinal);
        return "/" + escaped.TrimStart('/');
    }

    /// <summary>Constant-time comparison of a presented token with the expected bytes.</summary>
    internal static bool Matches(byte[] expected, string presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented);
        return bytes.Length == expected.Length && CryptographicOperations.FixedTimeEquals(bytes, expected);
    }
}

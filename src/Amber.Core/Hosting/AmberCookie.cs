namespace Amber.Core.Hosting;

/// <summary>The cookies Amber's servers set. They are Amber's credentials, so the gateway never forwards them upstream.</summary>
public static class AmberCookie
{
    /// <summary>The viewer's access token (set from <c>?token=</c>).</summary>
    public const string Token = "amber_token";

    /// <summary>
    /// A <c>Cookie</c> header without Amber's own cookies, the others kept as sent; null when none is left.
    /// Browsers send a host's cookies to every port, so even <c>amber proxy</c> may receive them.
    /// </summary>
    public static string? StripFrom(string? cookieHeader)
    {
        if (string.IsNullOrEmpty(cookieHeader))
        {
            return null;
        }

        var kept = cookieHeader.Split(';')
            .Where(pair => pair.Trim().Length > 0 && !string.Equals(pair.Split('=', 2)[0].Trim(), Token, StringComparison.Ordinal))
            .Select(pair => pair.Trim());
        var joined = string.Join("; ", kept);
        return joined.Length == 0 ? null : joined;
    }
}

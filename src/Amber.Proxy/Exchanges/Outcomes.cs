namespace Amber.Proxy.Exchanges;

/// <summary>How an exchange ended (the raw document's <c>outcome</c>).</summary>
public static class Outcomes
{
    /// <summary>The upstream response arrived whole (whatever its status).</summary>
    public const string Complete = "complete";

    /// <summary>The client went away before the response ended.</summary>
    public const string ClientDisconnected = "client_disconnected";

    /// <summary>The upstream connection failed or was reset (before or during the response).</summary>
    public const string UpstreamFailed = "upstream_failed";

    /// <summary>The gateway's upstream timeout cut the call.</summary>
    public const string Timeout = "timeout";
}

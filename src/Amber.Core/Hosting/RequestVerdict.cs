namespace Amber.Core.Hosting;

/// <summary>What <see cref="HostPolicy.Check"/> decides about one request, before any route sees it.</summary>
public enum RequestVerdict
{
    /// <summary>The request names an accepted host and, if it changes state, comes from no foreign origin.</summary>
    Accepted,

    /// <summary>The <c>Host</c> header names no accepted host (a DNS-rebinding page, a misconfigured proxy): 421.</summary>
    MisdirectedHost,

    /// <summary>A state-changing request sent by a page of another origin (a cross-site write): 403.</summary>
    ForeignOrigin,
}

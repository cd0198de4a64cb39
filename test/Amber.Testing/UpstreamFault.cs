namespace Amber.Testing;

/// <summary>How a <see cref="FaultUpstream"/> answers: the upstream half of the gateway's fault matrix.</summary>
public enum UpstreamFault
{
    /// <summary>A complete chat completion stream.</summary>
    Normal,

    /// <summary>429 with a JSON error body and a retry-after header.</summary>
    ClientError,

    /// <summary>503 with a JSON error body.</summary>
    ServerError,

    /// <summary>The connection is reset before any header is sent.</summary>
    ResetBeforeHeaders,

    /// <summary>Two events, then the connection is reset.</summary>
    ResetMidStream,

    /// <summary>A complete stream written one byte at a time with a pause after each.</summary>
    Trickle,

    /// <summary>Events without end, until the client leaves.</summary>
    Endless,

    /// <summary>A text/event-stream answer that is not SSE (no blank lines, binary bytes, data that is not JSON), then a clean end.</summary>
    InvalidSse,
}

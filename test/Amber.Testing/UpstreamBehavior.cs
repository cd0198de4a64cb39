namespace Amber.Testing;

/// <summary>What the fake upstream does with the next captured call.</summary>
public enum UpstreamBehavior
{
    Normal,

    /// <summary>500 with a JSON error body.</summary>
    ServerError,

    /// <summary>Streams the first events, then resets the connection.</summary>
    ResetMidStream,

    /// <summary>Streams the first events, then waits for <see cref="FakeUpstream.Release"/> (or the client to leave).</summary>
    StallMidStream,

    /// <summary>Answers gzip-compressed (Content-Encoding: gzip).</summary>
    Gzip,

    /// <summary>Streams gzip-compressed events, each flushed on its own (Content-Encoding: gzip).</summary>
    GzipStream,
}

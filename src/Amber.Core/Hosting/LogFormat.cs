namespace Amber.Core.Hosting;

/// <summary>The console log format of a host (<c>--log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>No request or progress logs: only Amber's own warnings and errors, one line each on stderr.</summary>
    Off,

    /// <summary>The simple console formatter, one line per event.</summary>
    Text,

    /// <summary>The JSON console formatter, one object per line, for a log shipper.</summary>
    Json,
}

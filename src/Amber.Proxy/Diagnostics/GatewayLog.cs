using Microsoft.Extensions.Logging;

namespace Amber.Proxy.Diagnostics;

/// <summary>
/// Every message the gateway logs, each with its own event id, through Microsoft.Extensions.Logging: one line of the
/// text console format, or one JSON object of the JSON one (<c>--log-format</c>). Ids 1000–1099 are calls, 1100–1199
/// the spool, 1200–1299 the host (written by <c>amber serve</c> and <c>amber proxy</c>).
/// </summary>
public static partial class GatewayLog
{
    /// <summary>The category the host's own messages use.</summary>
    public const string HostCategory = "Amber.Host";

    [LoggerMessage(EventId = 1001, EventName = "UpstreamFailed", Level = LogLevel.Warning,
        Message = "gateway: the upstream call of instance {Instance} ({Protocol}) ended as {Outcome}: {Error}; the partial exchange is preserved")]
    public static partial void UpstreamFailed(ILogger logger, string instance, string protocol, string outcome, string? error);

    [LoggerMessage(EventId = 1002, EventName = "UpstreamUnreachable", Level = LogLevel.Warning,
        Message = "gateway: could not reach the upstream {Upstream} for a pass-through call: {Error}")]
    public static partial void UpstreamUnreachable(ILogger logger, string upstream, string error);

    [LoggerMessage(EventId = 1003, EventName = "CaptureFailed", Level = LogLevel.Error,
        Message = "gateway: could not preserve instance {Instance} ({Protocol}): {Error}")]
    public static partial void CaptureFailed(ILogger logger, string instance, string protocol, string error);

    [LoggerMessage(EventId = 1101, EventName = "SpoolLeftoversRemoved", Level = LogLevel.Warning,
        Message = "gateway: removed {Count} unfinished spool file(s) (.tmp) left by an earlier stop; their exchanges were never acknowledged")]
    public static partial void SpoolLeftoversRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 1102, EventName = "SpoolClosed", Level = LogLevel.Warning,
        Message = "gateway: spool closed; {File} will be recorded at the next start")]
    public static partial void SpoolClosed(ILogger logger, string file);

    [LoggerMessage(EventId = 1103, EventName = "SpoolRecordFailed", Level = LogLevel.Error,
        Message = "gateway: could not record spooled exchange {File}: {Error}")]
    public static partial void SpoolRecordFailed(ILogger logger, string file, string error);

    [LoggerMessage(EventId = 1105, EventName = "SpooledAfterRecordFailed", Level = LogLevel.Warning,
        Message = "gateway: could not record exchange {Instance} in the archive ({Error}); spooled it instead, recorded when the archive can take it")]
    public static partial void SpooledAfterRecordFailed(ILogger logger, string instance, string error);

    [LoggerMessage(EventId = 1201, EventName = "Listening", Level = LogLevel.Information, Message = "{Text}")]
    public static partial void Listening(ILogger logger, string text);

    [LoggerMessage(EventId = 1202, EventName = "HostWarning", Level = LogLevel.Warning, Message = "{Text}")]
    public static partial void HostWarning(ILogger logger, string text);
}

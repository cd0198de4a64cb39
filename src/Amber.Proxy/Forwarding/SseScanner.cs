namespace Amber.Proxy.Forwarding;

/// <summary>
/// Finds server-sent-event boundaries in a growing byte buffer and reports where the stream's final
/// event starts, so the gateway can hold back exactly that event until the capture is durable. Works
/// on bytes (the markers are ASCII), across any chunking.
/// </summary>
internal sealed class SseScanner(Func<ReadOnlyMemory<byte>, bool> isFinal)
{
    private int eventStart;
    private int scanned;

    /// <summary>Offset in the buffer where the final event starts, once one has been seen.</summary>
    public int? FinalEventStart { get; private set; }

    /// <summary>Scans what was appended since the last call. <paramref name="buffer"/> is every byte so far.</summary>
    public void Scan(ReadOnlyMemory<byte> buffer)
    {
        var span = buffer.Span;
        for (var i = scanned; i < span.Length && FinalEventStart is null; i++)
        {
            if (span[i] != (byte)'\n' || !EndsBlankLine(span, i))
            {
                continue;
            }

            var end = i + 1;
            if (isFinal(buffer[eventStart..end]))
            {
                FinalEventStart = eventStart;
            }

            eventStart = end;
        }

        scanned = span.Length;
    }

    /// <summary>True when the \n at <paramref name="i"/> ends an empty line (\n\n or \r\n\r\n).</summary>
    private static bool EndsBlankLine(ReadOnlySpan<byte> s, int i)
        => (i >= 1 && s[i - 1] == (byte)'\n') || (i >= 3 && s[i - 1] == (byte)'\r' && s[i - 2] == (byte)'\n' && s[i - 3] == (byte)'\r');
}

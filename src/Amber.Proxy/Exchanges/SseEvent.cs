using System.Text;

namespace Amber.Proxy.Exchanges;

/// <summary>One server-sent event: its <c>event:</c> name (null when absent), its <c>data:</c> lines joined by \n, and the byte offset just past it.</summary>
internal sealed record SseEvent(string? Name, string Data, int End)
{
    /// <summary>Parses an event stream (WHATWG HTML §9.2.6). An event not ended by a blank line is still returned: a cut stream keeps what arrived.</summary>
    public static List<SseEvent> Parse(ReadOnlySpan<byte> stream)
    {
        var events = new List<SseEvent>();
        string? name = null;
        var data = new List<string>();
        var any = false;
        var pos = 0;
        while (pos < stream.Length)
        {
            var nl = stream[pos..].IndexOf((byte)'\n');
            var lineEnd = nl < 0 ? stream.Length : pos + nl;
            var next = nl < 0 ? stream.Length : lineEnd + 1;
            var line = stream[pos..lineEnd];
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            pos = next;
            if (line.Length == 0)
            {
                if (any)
                {
                    events.Add(new SseEvent(name, string.Join('\n', data), pos));
                }

                name = null;
                data.Clear();
                any = false;
                continue;
            }

            if (line[0] == (byte)':')
            {
                continue;
            }

            var colon = line.IndexOf((byte)':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? [] : line[(colon + 1)..];
            if (value.Length > 0 && value[0] == (byte)' ')
            {
                value = value[1..];
            }

            if (field.SequenceEqual("event"u8))
            {
                name = Encoding.UTF8.GetString(value);
                any = true;
            }
            else if (field.SequenceEqual("data"u8))
            {
                data.Add(Encoding.UTF8.GetString(value));
                any = true;
            }
        }

        if (any)
        {
            events.Add(new SseEvent(name, string.Join('\n', data), stream.Length));
        }

        return events;
    }

    /// <summary>Whether a raw event (bytes up to and including its blank line) has the given event name or data payload.</summary>
    public static bool HasLine(ReadOnlySpan<byte> rawEvent, ReadOnlySpan<byte> line)
    {
        var at = rawEvent.IndexOf(line);
        while (at >= 0)
        {
            var startOk = at == 0 || rawEvent[at - 1] == (byte)'\n';
            var end = at + line.Length;
            var endOk = end < rawEvent.Length && (rawEvent[end] == (byte)'\n' || rawEvent[end] == (byte)'\r');
            if (startOk && endOk)
            {
                return true;
            }

            var next = rawEvent[(at + 1)..].IndexOf(line);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return false;
    }
}

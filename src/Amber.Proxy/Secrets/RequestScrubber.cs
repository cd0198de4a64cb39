using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Amber.Proxy.Secrets;

/// <summary>
/// Checks a captured request body before it is forwarded (one JSON object, valid UTF-8, no member
/// twice in one object) and finds the credentials in it that must not be stored. One forward pass of
/// <see cref="Utf8JsonReader"/>; the stored copy is the body with those string values spliced out, so
/// every other byte stays as the client sent it.
/// </summary>
internal static class RequestScrubber
{
    /// <summary>Deep enough for any real tool schema; the reader is iterative, so depth costs no stack.</summary>
    private const int MaxDepth = 1024;

    /// <summary>Top-level members that hold the conversation itself: their member names are content, not configuration.</summary>
    private static readonly HashSet<string> ContentMembers = new(StringComparer.Ordinal) { "messages", "input", "system", "instructions", "prompt" };

    /// <summary>Checks and scrubs <paramref name="body"/>; throws <see cref="InvalidRequestBodyException"/> naming the problem and where it is.</summary>
    public static ScrubbedBody Scrub(ReadOnlyMemory<byte> memory)
    {
        var body = memory.Span;
        // The reader checks UTF-8 only in the strings it decodes; the stored document needs all of it valid.
        if (System.Text.Unicode.Utf8.IsValid(body) is false)
        {
            throw new InvalidRequestBodyException($"the body is not valid UTF-8 (first invalid byte at offset {FirstInvalid(body)}); JSON requests must be UTF-8.");
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        var frames = new Stack<Frame>();
        var cuts = new List<(int Start, int End)>();
        var pointers = new List<string>();
        var values = new List<string>();
        string? pending = null; // the member whose value comes next
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token == JsonTokenType.PropertyName)
                {
                    var frame = frames.Peek();
                    pending = reader.GetString()!;
                    if (!frame.Names!.Add(pending))
                    {
                        throw new InvalidRequestBodyException($"the member \"{pending}\" appears twice in the object at {Pointer(frames, null)}; a request must name each member once.");
                    }

                    continue;
                }

                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    frames.Pop();
                    continue;
                }

                // A value: its own name within its parent (member name or array index).
                string? segment = null;
                if (frames.Count > 0)
                {
                    var parent = frames.Peek();
                    segment = parent.Names is null ? (parent.Index++).ToString(System.Globalization.CultureInfo.InvariantCulture) : pending;
                }
                else if (token != JsonTokenType.StartObject)
                {
                    throw new InvalidRequestBodyException("the body is not a JSON object.");
                }

                var inContent = frames.Count > 0 && (frames.Count == 1 ? ContentMembers.Contains(segment!) : frames.Peek().InContent);
                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    frames.Push(new Frame(segment, token == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null, inContent, frames.Count > 0 && IsHeaders(frames.Peek(), segment)));
                    continue;
                }

                if (token == JsonTokenType.String && reader.ValueIsEscaped && reader.ValueSpan.IndexOf("\\u"u8) >= 0)
                {
                    // Content strings are not decoded below: an escaped lone surrogate in one must be refused too (found by fuzzing).
                    _ = reader.GetString();
                }

                if (token == JsonTokenType.String && !inContent && frames.Count > 0)
                {
                    var value = reader.GetString()!;
                    var parent = frames.Peek();
                    if (parent.IsHeaders || (parent.Names is not null && CredentialRules.IsCredentialName(segment!)) || CredentialRules.LooksLikeKey(value))
                    {
                        cuts.Add(((int)reader.TokenStartIndex, (int)reader.BytesConsumed));
                        pointers.Add(Pointer(frames, segment));
                        values.Add(value);
                    }
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidRequestBodyException(Describe(e, body), e);
        }
        catch (InvalidOperationException e)
        {
            // Valid JSON whose string escapes name a lone surrogate (\ud800) has no text to store (found by fuzzing).
            throw new InvalidRequestBodyException($"a string ending at byte {reader.BytesConsumed} escapes a lone UTF-16 surrogate, which is not text ({e.Message}).", e);
        }

        if (frames.Count != 0 || reader.BytesConsumed == 0)
        {
            throw new InvalidRequestBodyException("the body is not a complete JSON object.");
        }

        return new ScrubbedBody(cuts.Count == 0 ? memory : Splice(body, cuts), pointers, values);
    }

    private static int FirstInvalid(ReadOnlySpan<byte> body)
    {
        var at = 0;
        while (at < body.Length)
        {
            if (Rune.DecodeFromUtf8(body[at..], out _, out var consumed) != OperationStatus.Done)
            {
                return at;
            }

            at += consumed;
        }

        return at;
    }

    /// <summary>True when a value's parent is a <c>headers</c> object (MCP server and tool headers): every header value there is withheld.</summary>
    private static bool IsHeaders(Frame parent, string? segment)
        => parent.Names is not null && segment is not null && segment.Equals("headers", StringComparison.OrdinalIgnoreCase);

    private static byte[] Splice(ReadOnlySpan<byte> body, List<(int Start, int End)> cuts)
    {
        var marker = Encoding.UTF8.GetBytes("\"" + CredentialRules.Marker + "\"");
        var output = new ArrayBufferWriter<byte>(body.Length + 16);
        var at = 0;
        foreach (var (start, end) in cuts)
        {
            output.Write(body[at..start]);
            output.Write(marker);
            at = end;
        }

        output.Write(body[at..]);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>An RFC 6901 pointer to the current value (<paramref name="last"/> under the open containers).</summary>
    private static string Pointer(Stack<Frame> frames, string? last)
    {
        var segments = frames.Reverse().Skip(1).Select(f => f.Segment!).ToList();
        if (last is not null)
        {
            segments.Add(last);
        }

        return segments.Count == 0 ? "the top level" : string.Concat(segments.Select(s => "/" + s.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));
    }

    private static string Describe(JsonException e, ReadOnlySpan<byte> body)
    {
        var where = e.BytePositionInLine is { } col && e.LineNumber is { } line ? $" (line {line + 1}, byte {col + 1})" : "";
        if (e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            return $"the body is nested deeper than {MaxDepth} levels{where}.";
        }

        return $"the body is not valid JSON{where}.";
    }

    private sealed class Frame(string? segment, HashSet<string>? names, bool inContent, bool isHeaders)
    {
        public string? Segment { get; } = segment;

        /// <summary>The member names seen so far; null for an array.</summary>
        public HashSet<string>? Names { get; } = names;

        public bool InContent { get; } = inContent;

        public bool IsHeaders { get; } = isHeaders;

        public int Index { get; set; }
    }
}

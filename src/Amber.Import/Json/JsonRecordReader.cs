using System.Text.Json;
using System.Text.Unicode;

namespace Amber.Import.Json;

/// <summary>
/// Streams the top-level records of a JSON file (the elements of a top-level array, or the one top-level
/// object) or of a JSON Lines file, with bounded memory: only one record is held at a time.
/// </summary>
public static class JsonRecordReader
{
    /// <summary>The largest single record accepted (a whole conversation object).</summary>
    public const int MaxRecordBytes = 512 << 20;

    /// <summary>Elements of a top-level array, or the single top-level object.</summary>
    public static IEnumerable<JsonRecord> ReadJson(ImportInput input, CancellationToken ct = default)
    {
        using var stream = input.Open();
        var buffer = new byte[1 << 20];
        var len = 0;
        var pos = 0;
        long baseOffset = 0;
        var eof = false;

        bool Fill()
        {
            if (pos > 0)
            {
                Buffer.BlockCopy(buffer, pos, buffer, 0, len - pos);
                baseOffset += pos;
                len -= pos;
                pos = 0;
            }

            if (len == buffer.Length)
            {
                if (buffer.Length >= MaxRecordBytes)
                {
                    throw ImportException.At(input, $"byte {baseOffset}", $"a single record is larger than {MaxRecordBytes >> 20} MiB");
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxRecordBytes));
            }

            var n = stream.Read(buffer, len, buffer.Length - len);
            if (n == 0)
            {
                eof = true;
                return false;
            }

            len += n;
            return true;
        }

        // Skip a UTF-8 byte order mark and whitespace to find '[' or '{'.
        Fill();
        if (len >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
        {
            pos = 3;
        }

        while (true)
        {
            while (pos < len && buffer[pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                pos++;
            }

            if (pos < len || !Fill())
            {
                break;
            }
        }

        if (pos >= len)
        {
            throw ImportException.At(input, "byte 0", "the file is empty");
        }

        if (buffer[pos] == (byte)'{')
        {
            // One object: read the whole file (bounded by MaxRecordBytes).
            while (!eof)
            {
                Fill();
            }

            var bytes = buffer.AsMemory(pos, len - pos);
            Validate(input, new JsonRecord(0, baseOffset + pos, bytes));
            yield return new JsonRecord(0, baseOffset + pos, TrimEnd(bytes).ToArray());
            yield break;
        }

        if (buffer[pos] != (byte)'[')
        {
            throw ImportException.At(input, $"byte {baseOffset + pos}", $"expected a JSON array or object, found '{(char)buffer[pos]}'");
        }

        var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 1024 });
        var index = 0;
        var started = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            Step step;
            try
            {
                step = NextToken(buffer.AsSpan(pos, len - pos), eof, ref state, ref started);
            }
            catch (JsonException e)
            {
                // At the end of the file, a record that is merely incomplete means the file was cut short.
                var probe = state;
                var probeStarted = started;
                if (eof && IsIncomplete(buffer.AsSpan(pos, len - pos), ref probe, ref probeStarted))
                {
                    throw ImportException.At(input, $"record {index} (byte {baseOffset + pos})", "the file ends in the middle of a record (truncated?)", e);
                }

                throw ImportException.At(input, $"record {index} (byte {baseOffset + pos + (e.BytePositionInLine ?? 0)})", "invalid JSON: " + e.Message, e);
            }

            if (step.Kind == StepKind.Consumed)
            {
                pos += step.End;
                continue;
            }

            if (step.Kind == StepKind.EndOfArray)
            {
                pos += step.End;
                break;
            }

            if (step.Kind == StepKind.NeedMore)
            {
                if (eof)
                {
                    throw ImportException.At(input, $"record {index} (byte {baseOffset + pos})", "the file ends in the middle of a record (truncated?)");
                }

                Fill();
                continue;
            }

            var record = new JsonRecord(index, baseOffset + pos + step.Start, buffer.AsMemory(pos + step.Start, step.End - step.Start).ToArray());
            Validate(input, record);
            yield return record;
            index++;
            pos += step.End;
        }

        // Only whitespace may follow the array.
        while (true)
        {
            while (pos < len && buffer[pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                pos++;
            }

            if (pos < len)
            {
                throw ImportException.At(input, $"byte {baseOffset + pos}", "unexpected content after the top-level array");
            }

            if (!Fill())
            {
                break;
            }
        }
    }

    private enum StepKind
    {
        Consumed,
        Element,
        EndOfArray,
        NeedMore,
    }

    private readonly record struct Step(StepKind Kind, int Start, int End);

    /// <summary>Reads the next element of the top-level array from <paramref name="span"/>; the state advances only on success.</summary>
    private static Step NextToken(ReadOnlySpan<byte> span, bool eof, ref JsonReaderState state, ref bool started)
    {
        var reader = new Utf8JsonReader(span, eof, state);
        if (!reader.Read())
        {
            return new Step(StepKind.NeedMore, 0, 0);
        }

        if (!started)
        {
            started = true; // the opening '['
            state = reader.CurrentState;
            return new Step(StepKind.Consumed, 0, (int)reader.BytesConsumed);
        }

        if (reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == 0)
        {
            state = reader.CurrentState;
            return new Step(StepKind.EndOfArray, 0, (int)reader.BytesConsumed);
        }

        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
        {
            return new Step(StepKind.NeedMore, 0, 0);
        }

        state = reader.CurrentState;
        return new Step(StepKind.Element, start, (int)reader.BytesConsumed);
    }

    private static bool IsIncomplete(ReadOnlySpan<byte> span, ref JsonReaderState state, ref bool started)
    {
        try
        {
            return NextToken(span, eof: false, ref state, ref started).Kind == StepKind.NeedMore;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>One JSON value per non-empty line.</summary>
    public static IEnumerable<JsonRecord> ReadJsonLines(ImportInput input, CancellationToken ct = default)
    {
        using var stream = input.Open();
        var buffer = new byte[1 << 20];
        var len = 0;
        var lineNo = 0;
        long offset = 0;
        var index = 0;
        var eof = false;
        while (!eof || len > 0)
        {
            ct.ThrowIfCancellationRequested();
            var nl = Array.IndexOf(buffer, (byte)'\n', 0, len);
            if (nl < 0 && !eof)
            {
                if (len == buffer.Length)
                {
                    if (buffer.Length >= MaxRecordBytes)
                    {
                        throw ImportException.At(input, $"line {lineNo + 1}", $"a line is longer than {MaxRecordBytes >> 20} MiB");
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxRecordBytes));
                }

                var n = stream.Read(buffer, len, buffer.Length - len);
                if (n == 0)
                {
                    eof = true;
                }

                len += n;
                continue;
            }

            var lineLen = nl < 0 ? len : nl;
            lineNo++;
            var line = buffer.AsMemory(0, lineLen);
            var trimmed = Trim(line);
            if (trimmed.Length > 0)
            {
                var record = new JsonRecord(index++, offset, trimmed.ToArray(), lineNo);
                Validate(input, record);
                yield return record;
            }

            var consumed = nl < 0 ? len : nl + 1;
            Buffer.BlockCopy(buffer, consumed, buffer, 0, len - consumed);
            len -= consumed;
            offset += consumed;
        }
    }

    /// <summary>Checks a record is valid UTF-8 and well-formed JSON.</summary>
    public static void Validate(ImportInput input, JsonRecord record)
    {
        var span = record.Bytes.Span;
        if (!Utf8.IsValid(span))
        {
            var bad = FirstInvalidUtf8(span);
            throw ImportException.At(input, $"{record.Where}, byte {record.Offset + bad}", "invalid UTF-8");
        }

        try
        {
            var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = 1024 });
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw ImportException.At(input, record.Where, "invalid JSON: " + e.Message, e);
        }

    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> span)
    {
        var lo = 0;
        var hi = span.Length;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            if (Utf8.IsValid(span[..mid]))
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> m)
    {
        var s = m.Span;
        var a = 0;
        var b = s.Length;
        if (s.Length >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        {
            a = 3; // a byte order mark
        }

        while (a < b && s[a] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            a++;
        }

        while (b > a && s[b - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            b--;
        }

        return m[a..b];
    }

    private static ReadOnlyMemory<byte> TrimEnd(ReadOnlyMemory<byte> m)
    {
        var s = m.Span;
        var b = s.Length;
        while (b > 0 && s[b - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            b--;
        }

        return m[..b];
    }
}

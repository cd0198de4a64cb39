using System.Text.Json;
using System.Text.Unicode;
using Amber.Core.Json;

namespace Amber.Import.Json;

/// <summary>
/// Streams the top-level records of a JSON file (the elements of a top-level array, or the one top-level
/// object) or of a JSON Lines file, with bounded memory: only one record is held at a time.
/// </summary>
public static class JsonRecordReader
{
    /// <summary>The largest single record accepted (a whole conversation object).</summary>
    public const int MaxRecordBytes = 512 << 20;

    /// <summary>
    /// A read buffer as large as the file (plus one byte, so its end is seen without growing), at most 1 MiB: small
    /// files — a session log, a zip entry — need not touch a fresh megabyte each. It doubles when a record is larger.
    /// </summary>
    private static byte[] InitialBuffer(ImportInput input) => new byte[(int)Math.Clamp(input.Length + 1, 4096, 1 << 20)];

    /// <summary>Elements of a top-level array, or the single top-level object.</summary>
    public static IEnumerable<JsonRecord> ReadJson(ImportInput input, CancellationToken ct = default)
    {
        using var stream = input.Open();
        var buffer = InitialBuffer(input);
        var len = 0;
        var pos = 0;
        long baseOffset = 0;
        var eof = false;
        var index = 0;

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
                    throw ImportException.At(input, $"record {index} (byte {baseOffset + PendingStart(buffer.AsSpan(0, len))})", $"larger than {MaxRecordBytes >> 20} MiB, the limit for one record: {len} bytes of it were read without reaching its end");
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxRecordBytes));
            }

            // Fill the buffer: a zip's inflater returns a few KiB per read, and re-parsing the pending record
            // after each such read made large records quadratic.
            var n = stream.ReadAtLeast(buffer.AsSpan(len), buffer.Length - len, throwOnEndOfStream: false);
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

            if (len == pos)
            {
                throw ImportException.At(input, "byte 0", "the file is empty");
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

        // One level more than a record may have: the top-level array; Validate reports a deeper record by name.
        var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 2 });
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

                pos = DropBlankSpace(buffer, pos, len);
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

    /// <summary>
    /// Between records only blank space and one comma may wait for more input: drop the blank space, so that
    /// it never counts towards the next record's size (the comma moves to just before the new data).
    /// </summary>
    private static int DropBlankSpace(byte[] buffer, int pos, int len)
    {
        var at = pos;
        while (at < len && IsBlank(buffer[at]))
        {
            at++;
        }

        if (at < len && buffer[at] == (byte)',')
        {
            var after = at + 1;
            while (after < len && IsBlank(buffer[after]))
            {
                after++;
            }

            if (after < len)
            {
                return at; // data follows the comma: a record has started
            }

            buffer[len - 1] = (byte)',';
            return len - 1;
        }

        return at;
    }

    /// <summary>Where the pending record starts: after blank space and the comma before it.</summary>
    private static int PendingStart(ReadOnlySpan<byte> pending)
    {
        var at = 0;
        while (at < pending.Length && (IsBlank(pending[at]) || pending[at] == (byte)','))
        {
            at++;
        }

        return at;
    }

    private static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

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
        var buffer = InitialBuffer(input);
        var len = 0;
        var lineNo = 0;
        long offset = 0;
        var index = 0;
        var eof = false;
        var start = 0; // the current line's first byte
        var scanned = 0; // bytes of it already searched for its end: each byte is searched once
        while (!eof || start < len)
        {
            ct.ThrowIfCancellationRequested();
            var nl = buffer.AsSpan(start + scanned, len - start - scanned).IndexOf((byte)'\n');
            if (nl < 0 && !eof)
            {
                scanned = len - start;
                if (start > 0)
                {
                    // Only when more input is needed: moving the rest after every line made many short lines quadratic.
                    Buffer.BlockCopy(buffer, start, buffer, 0, len - start);
                    len -= start;
                    start = 0;
                }

                if (len == buffer.Length)
                {
                    if (buffer.Length >= MaxRecordBytes)
                    {
                        throw ImportException.At(input, $"line {lineNo + 1}", $"a line is longer than {MaxRecordBytes >> 20} MiB, the limit for one record");
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxRecordBytes));
                }

                var n = stream.ReadAtLeast(buffer.AsSpan(len), buffer.Length - len, throwOnEndOfStream: false);
                if (n == 0)
                {
                    eof = true;
                }

                len += n;
                continue;
            }

            var end = nl < 0 ? len : start + scanned + nl;
            lineNo++;
            var trimmed = Trim(buffer.AsMemory(start, end - start));
            if (trimmed.Length > 0)
            {
                var record = new JsonRecord(index++, offset, trimmed.ToArray(), lineNo);
                Validate(input, record);
                yield return record;
            }

            var next = nl < 0 ? len : end + 1;
            offset += next - start;
            start = next;
            scanned = 0;
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
            CheckStructure(input, record, span);
        }
        catch (JsonException e)
        {
            throw ImportException.At(input, record.Where, "invalid JSON: " + e.Message, e);
        }
    }

    /// <summary>The member name the reader is on; one that is not text (an escaped lone surrogate such as "\ude00") is refused by name.</summary>
    private static string MemberName(ImportInput input, JsonRecord record, ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw ImportException.At(input, record.Where, $"a member name at byte {record.Offset + reader.TokenStartIndex} is not text (it escapes a lone surrogate); the record is not imported.");
        }
    }

    /// <summary>
    /// Well-formed, at most <see cref="JsonLimits.MaxDepth"/> deep, and no object naming a member twice: which
    /// of two duplicates counts differs between parsers, and canonical JSON cannot hold both.
    /// </summary>
    private static void CheckStructure(ImportInput input, JsonRecord record, ReadOnlySpan<byte> span)
    {
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = JsonLimits.MaxDepth + 1 });
        var members = new List<HashSet<string>>();
        var depth = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (++depth > JsonLimits.MaxDepth)
                    {
                        throw ImportException.At(input, record.Where, $"nested deeper than {JsonLimits.MaxDepth} levels (at byte {record.Offset + reader.TokenStartIndex}), the archive's limit");
                    }

                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        while (members.Count < depth)
                        {
                            members.Add(new HashSet<string>(StringComparer.Ordinal));
                        }

                        members[depth - 1].Clear();
                    }

                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    depth--;
                    break;
                case JsonTokenType.PropertyName:
                    var name = MemberName(input, record, ref reader);
                    if (!members[depth - 1].Add(name))
                    {
                        throw ImportException.At(input, record.Where, $"member \"{name}\" appears twice in one object (at byte {record.Offset + reader.TokenStartIndex}); a record with duplicate members is ambiguous and is not imported.");
                    }

                    break;
                default:
                    break;
            }
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

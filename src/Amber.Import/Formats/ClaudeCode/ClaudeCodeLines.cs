using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Import.Formats.ClaudeCode;

/// <summary>
/// Splits a session file into its records. A line that is not a JSON object is an error naming the file and
/// line, except the last one when the file does not end with a newline: that is the line Claude Code is still
/// writing, so it is left out (with its bytes, so the raw kept is the complete lines) for the next import.
/// </summary>
internal static class ClaudeCodeLines
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 1024 };

    public static (List<ClaudeCodeLine> Lines, ReadOnlyMemory<byte> Raw) Read(ImportInput input, CancellationToken ct)
    {
        byte[] bytes;
        using (var s = input.Open())
        using (var ms = new MemoryStream())
        {
            s.CopyTo(ms);
            bytes = ms.ToArray();
        }

        var lines = new List<ClaudeCodeLine>();
        var end = bytes.Length;
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var number = 0;
        while (start < bytes.Length)
        {
            ct.ThrowIfCancellationRequested();
            number++;
            var nl = Array.IndexOf(bytes, (byte)'\n', start);
            var terminated = nl >= 0;
            var stop = terminated ? nl : bytes.Length;
            var span = bytes.AsSpan(start, stop - start).TrimEnd("\r"u8);
            if (!span.Trim(" \t"u8).IsEmpty)
            {
                JsonNode? node;
                try
                {
                    node = JsonNode.Parse(span, documentOptions: ParseOptions);
                }
                catch (JsonException e) when (!terminated)
                {
                    _ = e; // the line still being written: leave it (and its bytes) for the next import
                    end = start;
                    break;
                }
                catch (JsonException e)
                {
                    throw ImportException.At(input, $"line {number}", $"not a JSON object: {e.Message}", e);
                }

                lines.Add(new ClaudeCodeLine(number, node as JsonObject ?? throw ImportException.At(input, $"line {number}", "not a JSON object")));
            }

            start = terminated ? nl + 1 : bytes.Length;
        }

        return (lines, bytes.AsMemory(0, end));
    }

    public static string? String(JsonObject o, string name)
        => o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Fuzz.Engine;

/// <summary>
/// Makes hostile inputs from valid ones: byte-level edits (flips, interesting bytes, cuts, repeats, splices) and
/// JSON-aware ones (a value replaced by one of another type or an edge value, a member dropped or repeated), so
/// mutants get past the tokenizer into the mappers. Deterministic for a given seed.
/// </summary>
public sealed class Mutator(Random random)
{
    private static readonly byte[] InterestingBytes = [0, 1, 0x7F, 0x80, 0xC0, 0xFF, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'\n', (byte)'\r', (byte)' ', (byte)'0', (byte)'-', (byte)'e'];

    private static readonly string[] JsonValues =
    [
        "null", "true", "false", "0", "-1", "1e309", "-0", "99999999999999999999999", "1.5", "\"\"", "\"x\"", "[]", "{}", "[null]", "{\"\":null}",
        "\"\\ud800\"", "\"\\u0000\"", "\"2024-13-45T99:99:99Z\"", "\"1970-01-01T00:00:00Z\"", "-9223372036854775809", "1700000000", "1e-400",
        "\"data:image/png;base64,!!!\"", "\"data:;base64,\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "\"" + new string('a', 300) + "\"",
    ];

    private static readonly string[] Tokens = ["\"", "{", "}", "[", "]", ",", ":", "null", "\\u", "\\", "\n", "\r\n", "data: ", "event: ", "\n\n", "data: [DONE]\n\n", "\u00e9", "\ud83d\ude00"];

    /// <summary>A mutant of <paramref name="input"/>; <paramref name="other"/> supplies splice material.</summary>
    public byte[] Mutate(byte[] input, byte[] other)
    {
        if (input.Length > 0 && random.Next(3) == 0 && MutateJson(input) is { } structured)
        {
            return random.Next(4) == 0 ? MutateBytes(structured, other) : structured;
        }

        var result = input;
        var rounds = 1 + random.Next(4);
        for (var i = 0; i < rounds; i++)
        {
            result = MutateBytes(result, other);
        }

        return result;
    }

    private byte[] MutateBytes(byte[] input, byte[] other)
    {
        var b = new List<byte>(input);
        var n = b.Count;
        switch (random.Next(9))
        {
            case 0 when n > 0:
                var at = random.Next(n);
                b[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when n > 0:
                b[random.Next(n)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 2 when n > 0:
                var start = random.Next(n);
                b.RemoveRange(start, Math.Min(n - start, 1 + random.Next(Math.Min(64, n))));
                break;
            case 3:
                var bytes = new byte[1 + random.Next(16)];
                random.NextBytes(bytes);
                b.InsertRange(random.Next(n + 1), bytes);
                break;
            case 4 when n > 1:
                var from = random.Next(n);
                var len = Math.Min(n - from, 1 + random.Next(256));
                b.InsertRange(random.Next(n + 1), b.GetRange(from, len));
                break;
            case 5 when n > 0:
                return input[..random.Next(n)];
            case 6 when other.Length > 0:
                var cut = random.Next(n + 1);
                var otherFrom = random.Next(other.Length);
                return [.. input.AsSpan(0, cut), .. other.AsSpan(otherFrom, Math.Min(other.Length - otherFrom, 1 + random.Next(4096)))];
            case 7:
                var token = Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]);
                b.InsertRange(random.Next(n + 1), token);
                break;
            default:
                var value = Encoding.UTF8.GetBytes(JsonValues[random.Next(JsonValues.Length)]);
                b.InsertRange(random.Next(n + 1), value);
                break;
        }

        return [.. b];
    }

    /// <summary>A structural edit of a JSON document or of one line of JSON Lines; null when the input is not JSON.</summary>
    private byte[]? MutateJson(byte[] input)
    {
        try
        {
            return EditJson(input);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // Not JSON, or JSON that System.Text.Json's DOM refuses (a member twice): byte edits only.
            return null;
        }
    }

    private byte[]? EditJson(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var lines = text.Split('\n');
        var lineIndex = lines.Length > 1 ? random.Next(lines.Length) : 0;
        var root = JsonNode.Parse(lines.Length > 1 ? lines[lineIndex] : text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        if (root is null)
        {
            return null;
        }

        var all = new List<JsonNode>();
        Collect(root, all);
        var target = all[random.Next(all.Count)];
        var replacement = JsonNode.Parse(JsonValues[random.Next(JsonValues.Length)], documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        var parent = target.Parent;
        switch (random.Next(4))
        {
            case 0 when parent is JsonObject o:
                o.Remove(target.GetPropertyName());
                break;
            case 1 when parent is JsonArray a:
                a.Insert(target.GetElementIndex(), target.DeepClone());
                break;
            case 2 when parent is JsonObject o:
                o[target.GetPropertyName() + (random.Next(2) == 0 ? "" : "_")] = replacement;
                break;
            default:
                if (parent is JsonObject po)
                {
                    po[target.GetPropertyName()] = replacement;
                }
                else if (parent is JsonArray pa)
                {
                    pa[target.GetElementIndex()] = replacement;
                }
                else
                {
                    root = replacement;
                }

                break;
        }

        var written = root?.ToJsonString() ?? "null";
        if (lines.Length > 1)
        {
            lines[lineIndex] = written;
            written = string.Join('\n', lines);
        }

        return Encoding.UTF8.GetBytes(written);
    }

    private static void Collect(JsonNode node, List<JsonNode> all)
    {
        all.Add(node);
        if (all.Count > 20_000)
        {
            return;
        }

        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o)
                {
                    if (v is not null)
                    {
                        Collect(v, all);
                    }
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    if (v is not null)
                    {
                        Collect(v, all);
                    }
                }

                break;
        }
    }
}

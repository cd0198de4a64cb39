using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Benchmarks;

/// <summary>
/// A large ChatGPT <c>conversations.json</c> made of the corpus's real ChatGPT conversations, copied until the
/// file reaches the asked size. Each copy after the first rewrites every id (the conversation's, the mapping
/// keys, the messages' and every string that repeats one of them, such as <c>parent</c>, <c>children</c> and
/// <c>current_node</c>), so each copy is a distinct conversation; every other byte stays as exported.
/// </summary>
public static class ChatGptReplica
{
    /// <summary>The corpus's ChatGPT exports: <c>chatgpt-export-*/conversations.json</c>.</summary>
    public static List<string> SourceFiles(string corpusDirectory) => Directory.GetDirectories(corpusDirectory, "chatgpt-export-*")
        .Order(StringComparer.Ordinal)
        .Select(d => Path.Combine(d, "conversations.json"))
        .Where(File.Exists)
        .ToList();

    /// <summary>Writes at least <paramref name="targetBytes"/> bytes to <paramref name="path"/>; returns the number of conversations.</summary>
    public static int Write(IReadOnlyList<string> sources, string path, long targetBytes)
    {
        var templates = sources.SelectMany(Templates).ToList();
        if (templates.Count == 0)
        {
            throw new InvalidOperationException("no ChatGPT conversations found in the corpus");
        }

        using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        output.Write("["u8);
        var count = 0;
        for (var copy = 0; output.Length < targetBytes; copy++)
        {
            foreach (var t in templates)
            {
                if (count > 0)
                {
                    output.Write(",\n"u8);
                }

                t.WriteCopy(output, copy);
                count++;
                if (output.Length >= targetBytes)
                {
                    break;
                }
            }
        }

        output.Write("]\n"u8);
        return count;
    }

    /// <summary>Each conversation of a file, with where its ids occur.</summary>
    private static IEnumerable<Template> Templates(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidOperationException($"{file}: expected a JSON array of conversations");
        }

        var list = new List<Template>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var element = bytes.AsMemory(start, (int)reader.BytesConsumed - start);
            list.Add(Template.Of(element));
        }

        return list;
    }

    private sealed class Template(ReadOnlyMemory<byte> bytes, List<(int Offset, int Length)> ids)
    {
        public static Template Of(ReadOnlyMemory<byte> element)
        {
            var o = JsonNode.Parse(element.Span)!.AsObject();
            var names = new HashSet<string>(StringComparer.Ordinal);
            void Add(JsonNode? n)
            {
                if (n is JsonValue v && v.TryGetValue(out string? s) && s.Length >= 8)
                {
                    names.Add(s);
                }
            }

            Add(o["id"]);
            Add(o["conversation_id"]);
            if (o["mapping"] is JsonObject mapping)
            {
                foreach (var (key, entry) in mapping)
                {
                    if (key.Length >= 8)
                    {
                        names.Add(key);
                    }

                    Add(entry?["id"]);
                    Add(entry?["message"]?["id"]);
                }
            }

            // Every string token (value or member name) that is one of the ids, as written (ids need no escapes).
            var found = new List<(int, int)>();
            var reader = new Utf8JsonReader(element.Span);
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !reader.ValueIsEscaped && reader.ValueSpan.Length >= 8
                    && names.Contains(Encoding.UTF8.GetString(reader.ValueSpan)))
                {
                    found.Add(((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length));
                }
            }

            return new Template(element, found);
        }

        /// <summary>Copy 0 is the original; copy k replaces the first 8 characters of every id by k in hexadecimal.</summary>
        public void WriteCopy(Stream output, int copy)
        {
            var span = bytes.Span;
            if (copy == 0)
            {
                output.Write(span);
                return;
            }

            Span<byte> prefix = stackalloc byte[8];
            Encoding.ASCII.GetBytes(copy.ToString("x8", CultureInfo.InvariantCulture), prefix);
            var at = 0;
            foreach (var (offset, _) in ids)
            {
                output.Write(span[at..offset]);
                output.Write(prefix);
                at = offset + 8;
            }

            output.Write(span[at..]);
        }
    }
}

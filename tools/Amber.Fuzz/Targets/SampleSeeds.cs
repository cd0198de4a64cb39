using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Import;
using Amber.Import.Formats;
using Amber.Testing;

namespace Amber.Fuzz.Targets;

/// <summary>
/// Seeds for the importers: the files of ../shared/samples read at run time (never copied into the repository),
/// cut to their first records so mutants stay small and fast, kept only when the cut still reads as its format;
/// plus a few synthetic documents so every format has something to start from without ../shared.
/// </summary>
public static class SampleSeeds
{
    private const int MaxSeedBytes = 48 << 10;

    /// <summary>A file up to this size is a seed whole (one record of some exports is this large).</summary>
    private const int MaxWholeSeedBytes = 96 << 10;
    private const int SeedsPerFormat = 6;

    private static readonly Lazy<IReadOnlyDictionary<string, List<NamedSeed>>> ByFormat = new(Load);

    /// <summary>Small documents of the common shapes, used where ../shared is absent and inside the zip seeds.</summary>
    public static IReadOnlyList<NamedSeed> Synthetic { get; } =
    [
        new("conversations.json", """[{"title":"t","create_time":1700000000.5,"mapping":{"a":{"id":"a","message":null,"parent":null,"children":["b"]},"b":{"id":"b","parent":"a","children":[],"message":{"id":"b","author":{"role":"user"},"create_time":1700000001,"content":{"content_type":"text","parts":["hi"]}}}},"current_node":"b","id":"c1"}]"""u8.ToArray()),
        new("chat.jsonl", """{"messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}"""u8.ToArray()),
        new("sharegpt.json", """[{"id":"x","conversations":[{"from":"human","value":"hi"},{"from":"gpt","value":"hello"}]}]"""u8.ToArray()),
        new("hh.jsonl", "{\"chosen\":\"\\n\\nHuman: hi\\n\\nAssistant: hello\",\"rejected\":\"\\n\\nHuman: hi\\n\\nAssistant: no\"}\n"u8.ToArray()),
    ];

    /// <summary>Seeds for <paramref name="format"/>: the samples that read as it, else the synthetic set.</summary>
    public static IReadOnlyList<NamedSeed> For(IConversationFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        if (format.Name == "llm-db")
        {
            return [new NamedSeed("logs.db", LlmDbSeed.Create())];
        }

        if (ByFormat.Value.TryGetValue(format.Name, out var seeds) && seeds.Count > 0)
        {
            return seeds;
        }

        // Without ../shared: the synthetic documents this format reads, else all of them (mutants still reach its reader).
        var valid = Synthetic.Where(s => Reads(format, s.FileName, s.Bytes)).ToList();
        return valid.Count > 0 ? valid : Synthetic;
    }

    private static Dictionary<string, List<NamedSeed>> Load()
    {
        var result = new Dictionary<string, List<NamedSeed>>(StringComparer.Ordinal);
        if (SharedData.PathTo("samples") is not { } root || !Directory.Exists(root))
        {
            return result;
        }

        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var ext = Path.GetExtension(path);
            if ((ext != ".json" && ext != ".jsonl") || new FileInfo(path).Length > 8 << 20)
            {
                continue;
            }

            var name = Path.GetFileName(path);
            var bytes = File.ReadAllBytes(path);
            if (Detect(name, bytes) is not { } format)
            {
                continue;
            }

            var cut = Cut(bytes, ext == ".jsonl");
            if (cut is not null && Shorten(cut, ext == ".jsonl") is { } shorter && Detect(name, shorter)?.Name == format.Name && Reads(format, name, shorter))
            {
                cut = shorter; // the same structure with short strings: mutants of it run several times faster
            }

            if (cut is null || Detect(name, cut)?.Name != format.Name || !Reads(format, name, cut))
            {
                continue;
            }

            var list = result.TryGetValue(format.Name, out var l) ? l : result[format.Name] = [];
            if (list.Count < SeedsPerFormat)
            {
                list.Add(new NamedSeed(name, cut));
            }
        }

        return result;
    }

    /// <summary>True when the format reads the whole (cut) seed without error: a seed must be valid input.</summary>
    private static bool Reads(IConversationFormat format, string name, byte[] bytes)
    {
        try
        {
            foreach (var c in format.Read(new ImportInput(name, bytes.Length, () => new MemoryStream(bytes, writable: false)), CancellationToken.None))
            {
                foreach (var node in c.Nodes)
                {
                    _ = Amber.Core.Model.CanonicalNode.Of(node);
                }
            }

            return true;
        }
        catch (Exception e) when (e is ImportException or Amber.Core.Json.CanonicalJsonException)
        {
            return false;
        }
    }

    public static IConversationFormat? Detect(string name, byte[] bytes)
        => FormatRegistry.Detect(new ImportInput(name, bytes.Length, () => new MemoryStream(bytes, writable: false)), FormatRegistry.All);

    /// <summary>
    /// The document with every string longer than <see cref="MaxStringChars"/> cut to that length (ids and roles are
    /// shorter, so the structure a reader walks is kept; the bulk of a real export is message text, which a mutation
    /// need not carry). Null when the bytes do not parse or nothing was long.
    /// </summary>
    private static byte[]? Shorten(byte[] bytes, bool lines)
    {
        try
        {
            if (!lines)
            {
                return JsonNode.Parse(bytes) is { } node && ShortenStrings(node) ? Serialize(node) : null;
            }

            var changed = false;
            var kept = new List<byte[]>();
            foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
            {
                if (line.Length == 0)
                {
                    kept.Add([]);
                    continue;
                }

                var node = JsonNode.Parse(line);
                if (node is not null && ShortenStrings(node))
                {
                    changed = true;
                    kept.Add(Serialize(node));
                }
                else
                {
                    kept.Add(Encoding.UTF8.GetBytes(line));
                }
            }

            return changed ? kept.SelectMany((l, i) => i == 0 ? l : [(byte)'\n', .. l]).ToArray() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private const int MaxStringChars = 64;

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte[] Serialize(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(Relaxed));

    private static bool ShortenStrings(JsonNode node)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > MaxStringChars)
                    {
                        obj[key] = text[..MaxStringChars];
                        changed = true;
                    }
                    else if (value is not null)
                    {
                        changed |= ShortenStrings(value);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > MaxStringChars)
                    {
                        array[i] = text[..MaxStringChars];
                        changed = true;
                    }
                    else if (array[i] is { } child)
                    {
                        changed |= ShortenStrings(child);
                    }
                }

                break;
        }

        return changed;
    }

    /// <summary>The first records of a file, small enough to fuzz quickly; null when even one record is too large.</summary>
    private static byte[]? Cut(byte[] bytes, bool lines)
    {
        if (bytes.Length <= MaxWholeSeedBytes)
        {
            return bytes;
        }

        if (lines)
        {
            var text = Encoding.UTF8.GetString(bytes).Split('\n');
            var kept = new StringBuilder();
            foreach (var line in text)
            {
                if (kept.Length + line.Length + 1 > MaxSeedBytes)
                {
                    break;
                }

                kept.Append(line).Append('\n');
            }

            return kept.Length == 0 ? null : Encoding.UTF8.GetBytes(kept.ToString());
        }

        try
        {
            if (JsonNode.Parse(bytes) is not JsonArray array || array.Count == 0)
            {
                return null;
            }

            for (var n = Math.Min(3, array.Count); n >= 1; n--)
            {
                var first = new JsonArray(array.Take(n).Select(e => e?.DeepClone()).ToArray());
                var cut = Encoding.UTF8.GetBytes(first.ToJsonString());
                if (cut.Length <= MaxSeedBytes * 2)
                {
                    return cut;
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}

using System.Text.Json;

namespace Amber.Import.Formats.ShareGpt;

/// <summary>
/// The keys of the first record in a file's head (its first ≤64 KiB), read token by token so a record cut
/// off at the end of the head still shows its leading keys. Shared by the dataset formats' detection
/// (oasst, sharegpt, openai-jsonl, hh-rlhf), which tell their files apart by these keys alone.
/// </summary>
internal sealed class RecordShape
{
    private const int MaxStringPrefix = 64;

    private static readonly HashSet<string> EmptySet = [];

    private readonly Dictionary<string, JsonTokenType> properties = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> childKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> strings = new(StringComparer.Ordinal);

    private RecordShape(bool inArray) => InArray = inArray;

    /// <summary>True when the file is a JSON array of records (else JSON Lines or a single object).</summary>
    public bool InArray { get; }

    /// <summary>True when the first record's property <paramref name="name"/> was seen (with a value of <paramref name="type"/> if given).</summary>
    public bool Has(string name, JsonTokenType? type = null)
        => properties.TryGetValue(name, out var t) && (type is null || t == type || (type == JsonTokenType.True && t == JsonTokenType.False));

    /// <summary>The first record's top-level keys, in the order seen.</summary>
    public IReadOnlyCollection<string> Keys => properties.Keys;

    /// <summary>For an object value, its keys; for an array value, the keys of its first element (if an object).</summary>
    public IReadOnlySet<string> ChildKeys(string name) => childKeys.TryGetValue(name, out var s) ? s : EmptySet;

    /// <summary>The first characters of a string value, when the whole string lies within the head.</summary>
    public string? StringPrefix(string name) => strings.TryGetValue(name, out var s) ? s : null;

    /// <summary>Reads the first record of <paramref name="head"/>; null when the head does not start with a JSON object or array.</summary>
    public static RecordShape? Read(ReadOnlySpan<byte> head)
    {
        var start = 0;
        if (head.Length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        {
            start = 3;
        }

        while (start < head.Length && head[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        if (start >= head.Length || head[start] is not ((byte)'[' or (byte)'{'))
        {
            return null;
        }

        var shape = new RecordShape(head[start] == (byte)'[');
        var depth = shape.InArray ? 1 : 0;
        var reader = new Utf8JsonReader(head[start..], isFinalBlock: false, state: new JsonReaderState(new JsonReaderOptions { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 }));
        try
        {
            if (shape.InArray && !(reader.Read() && reader.TokenType == JsonTokenType.StartArray))
            {
                return shape;
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return shape;
            }

            string? property = null;
            var elements = 0;
            while (reader.Read())
            {
                var d = reader.CurrentDepth;
                var t = reader.TokenType;
                if (d == depth && t == JsonTokenType.EndObject)
                {
                    break;
                }

                if (d == depth + 1)
                {
                    if (t == JsonTokenType.PropertyName)
                    {
                        property = reader.GetString();
                    }
                    else if (property is not null && t is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
                    {
                        shape.properties[property] = t;
                        elements = 0;
                        if (t is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        {
                            shape.childKeys[property] = new HashSet<string>(StringComparer.Ordinal);
                        }
                        else if (t == JsonTokenType.String)
                        {
                            var s = reader.GetString() ?? string.Empty;
                            shape.strings[property] = s.Length > MaxStringPrefix ? s[..MaxStringPrefix] : s;
                        }
                    }

                    continue;
                }

                if (property is null || !shape.childKeys.TryGetValue(property, out var keys))
                {
                    continue;
                }

                if (shape.properties[property] == JsonTokenType.StartObject)
                {
                    if (d == depth + 2 && t == JsonTokenType.PropertyName)
                    {
                        keys.Add(reader.GetString()!);
                    }
                }
                else if (d == depth + 2 && t is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
                {
                    elements++;
                }
                else if (d == depth + 3 && t == JsonTokenType.PropertyName && elements == 1)
                {
                    keys.Add(reader.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON, or a second JSON Lines value: what was read so far is the shape.
        }
        catch (InvalidOperationException)
        {
            // A string that is not text (invalid UTF-8, a lone surrogate escape; found by fuzzing): the format's reader names it.
        }

        return shape;
    }
}

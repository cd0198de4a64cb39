using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Cli.Tests.Golden;

/// <summary>
/// The structure of a JSON value without its volatile values: field names and types, one per line
/// ("$.conversations[].id: string"). Array elements are merged, so a list of 1 and of 50 items have one shape;
/// a field that is null in one element and a string in another is "null|string".
/// </summary>
internal static class JsonShape
{
    /// <summary>The shape of one JSON document, or of every line of JSON Lines merged (<paramref name="jsonLines"/>).</summary>
    public static string Of(string output, bool jsonLines = false)
    {
        var paths = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        if (jsonLines)
        {
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Walk(JsonNode.Parse(line), "$", paths);
            }
        }
        else
        {
            Walk(JsonNode.Parse(output), "$", paths);
        }

        var text = new StringBuilder();
        foreach (var (path, types) in paths)
        {
            text.Append(path).Append(": ").Append(string.Join('|', types)).Append('\n');
        }

        return text.ToString();
    }

    private static void Walk(JsonNode? node, string path, SortedDictionary<string, SortedSet<string>> paths)
    {
        if (!paths.TryGetValue(path, out var types))
        {
            paths[path] = types = new SortedSet<string>(StringComparer.Ordinal);
        }

        switch (node)
        {
            case null:
                types.Add("null");
                break;
            case JsonObject obj:
                types.Add("object");
                foreach (var (name, child) in obj)
                {
                    // Maps keyed by data (ids, model names, formats) would make the shape depend on the data: one "*" stands for every key.
                    Walk(child, path + "." + (IsDataKey(name) ? "*" : name), paths);
                }

                break;
            case JsonArray array:
                types.Add("array");
                foreach (var item in array)
                {
                    Walk(item, path + "[]", paths);
                }

                break;
            case JsonValue value:
                types.Add(value.GetValueKind() switch
                {
                    JsonValueKind.String => "string",
                    JsonValueKind.Number => "number",
                    JsonValueKind.True or JsonValueKind.False => "boolean",
                    _ => "null",
                });
                break;
        }
    }

    /// <summary>Keys that are values rather than field names: anything but a plain lowerCamel/snake identifier.</summary>
    private static bool IsDataKey(string name)
        => name.Length == 0 || !char.IsAsciiLetterLower(name[0]) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_'));
}

using System.Text.Json.Nodes;

namespace Amber.Core.Model;

/// <summary>Helpers for reading record fields with precise errors.</summary>
internal static class JsonFields
{
    public static string RequireString(JsonObject obj, string name, string what)
        => obj[name] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new FormatException($"{what}: missing or non-string field \"{name}\".");

    public static string? OptString(JsonObject obj, string name)
        => obj[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public static long? OptLong(JsonObject obj, string name)
    {
        if (obj[name] is not JsonValue v)
        {
            return null;
        }

        if (v.TryGetValue(out long l))
        {
            return l;
        }

        if (v.TryGetValue(out System.Text.Json.JsonElement e) && e.ValueKind == System.Text.Json.JsonValueKind.Number && e.TryGetInt64(out var x))
        {
            return x;
        }

        return v.TryGetValue(out double d) ? (long)d : null;
    }

    public static bool OptBool(JsonObject obj, string name)
        => obj[name] is JsonValue v && v.TryGetValue(out bool b) && b;

    public static JsonObject? OptObject(JsonObject obj, string name) => obj[name] as JsonObject;

    public static void SetIf(JsonObject obj, string name, string? value)
    {
        if (value is not null)
        {
            obj[name] = value;
        }
    }

    public static void SetIf(JsonObject obj, string name, long? value)
    {
        if (value is not null)
        {
            obj[name] = value.Value;
        }
    }

    public static void SetIf(JsonObject obj, string name, JsonNode? value)
    {
        if (value is not null)
        {
            obj[name] = value.DeepClone();
        }
    }

    public static int[]? OptIntArray(JsonObject obj, string name)
    {
        if (obj[name] is not JsonArray arr)
        {
            return null;
        }

        var result = new int[arr.Count];
        for (var i = 0; i < arr.Count; i++)
        {
            result[i] = (int)(OptLongValue(arr[i]) ?? throw new FormatException($"field \"{name}\"[{i}] is not an integer."));
        }

        return result;
    }

    private static long? OptLongValue(JsonNode? node)
    {
        var wrapper = new JsonObject { ["v"] = node?.DeepClone() };
        return OptLong(wrapper, "v");
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Viewer.Html;

namespace Amber.Viewer.Rendering;

/// <summary>JSON values shown as indented text (encoded like any other text).</summary>
public static class JsonView
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 256 };
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 256 };

    /// <summary>Values whose one-line form is at most this long stay on one line.</summary>
    public const int OneLine = 100;

    /// <summary>The value as JSON text (indented unless it fits on one line); a value nested too deeply to print is described instead.</summary>
    public static string Format(JsonNode? value)
    {
        if (value is null)
        {
            return "null";
        }

        try
        {
            var compact = value.ToJsonString(Compact);
            return compact.Length <= OneLine ? compact : value.ToJsonString(Indented);
        }
        catch (JsonException e)
        {
            return $"(not shown: {e.Message})";
        }
        catch (InvalidOperationException e)
        {
            return $"(not shown: {e.Message})";
        }
    }

    public static void Write(HtmlWriter w, JsonNode? value, string cssClass = "json")
    {
        using (w.Tag("pre", ("class", cssClass)))
        {
            w.Text(Format(value));
        }
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Viewer.Html;

namespace Amber.Viewer.Rendering;

/// <summary>JSON values shown as indented text (encoded like any other text).</summary>
public static class JsonView
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 256 };

    /// <summary>The value as indented JSON text; a value nested too deeply to print is described instead.</summary>
    public static string Format(JsonNode? value)
    {
        if (value is null)
        {
            return "null";
        }

        try
        {
            return value.ToJsonString(Indented);
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

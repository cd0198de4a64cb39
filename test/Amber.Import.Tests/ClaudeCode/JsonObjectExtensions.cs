using System.Text.Json.Nodes;

namespace Amber.Import.Tests.ClaudeCode;

internal static class JsonObjectExtensions
{
    /// <summary>Applies <paramref name="change"/> and returns the same object, for building records inline.</summary>
    public static JsonObject Also(this JsonObject o, Action<JsonObject> change)
    {
        change(o);
        return o;
    }
}

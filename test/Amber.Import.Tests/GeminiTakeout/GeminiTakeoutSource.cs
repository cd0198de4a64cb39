using System.Globalization;
using System.Text.Json.Nodes;

namespace Amber.Import.Tests.GeminiTakeout;

/// <summary>
/// Reads a Gemini Apps MyActivity.json directly, independently of the importer: its records in time order, split
/// where two records are more than 30 minutes apart.
/// </summary>
internal static class GeminiTakeoutSource
{
    public const string Sample = "gemini-takeout-adaptiq/MyActivity.json";

    public static List<JsonObject> Records(string path) => [.. JsonNode.Parse(File.ReadAllBytes(path))!.AsArray().Select(r => r!.AsObject())];

    public static DateTimeOffset Time(JsonObject record) => DateTimeOffset.Parse((string)record["time"]!, CultureInfo.InvariantCulture);

    public static List<List<JsonObject>> Groups(IEnumerable<JsonObject> records)
    {
        var groups = new List<List<JsonObject>>();
        DateTimeOffset? last = null;
        foreach (var r in records.OrderBy(Time))
        {
            if (last is null || Time(r) - last > TimeSpan.FromMinutes(30))
            {
                groups.Add([]);
            }

            groups[^1].Add(r);
            last = Time(r);
        }

        return groups;
    }

    /// <summary>One node for the record, and one per answer in its safeHtmlItem.</summary>
    public static int Nodes(JsonObject record) => 1 + (record["safeHtmlItem"] as JsonArray ?? []).Count;
}

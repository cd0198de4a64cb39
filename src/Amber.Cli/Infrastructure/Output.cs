using System.Text.Json.Nodes;

namespace Amber.Cli.Infrastructure;

internal static class Output
{
    /// <summary>One JSON value on one line (JSON Lines).</summary>
    public static void JsonLine(TextWriter w, JsonNode node) => w.WriteLine(Amber.Core.Json.JsonText.Write(node));

    public static void JsonDocument(TextWriter w, JsonNode node) => w.WriteLine(Amber.Core.Json.JsonText.Write(node, indented: true));

    public static string ShortId(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..19] : id;

    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{n / 1048576.0:0.0} MiB",
        _ => $"{n / 1073741824.0:0.00} GiB",
    };
}

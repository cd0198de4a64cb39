using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Storage;
using Amber.Viewer.Rendering;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Pages;

/// <summary>A blob shown as text: a raw source object or a recorded HTTP exchange, pretty-printed when it is JSON.</summary>
public static class BlobPage
{
    /// <summary>Larger blobs are offered for download only.</summary>
    public const int MaxShown = 4 << 20;

    public static IResult Render(TenantView scope, string id)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var full = id.StartsWith("sha256:", StringComparison.Ordinal) ? id : "sha256:" + id;
        var bytes = scope.CanSee(full) ? scope.Archive.GetBlob(full) : null;
        if (bytes is null)
        {
            return PageLayout.NotFound($"No blob {full}.");
        }

        return PageLayout.Page("Blob " + Urls.Hex(full)[..16], w =>
        {
            w.Element("h1", "Stored object");
            using (w.Tag("p"))
            {
                w.Element("code", full);
                w.Text($" · {bytes.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes · ");
                w.Link(Urls.Blob(full, name: Urls.Hex(full)[..16] + ".bin", download: true), "download the exact bytes", ("download", ""));
            }

            if (bytes.Length > MaxShown)
            {
                w.Element("p", "Too large to show here; download it.", ("class", "muted"));
                return;
            }

            string text;
            try
            {
                text = new UTF8Encoding(false, true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                w.Element("p", "Binary content; download it.", ("class", "muted"));
                return;
            }

            JsonNode? json = null;
            try
            {
                json = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
            }
            catch (JsonException)
            {
            }

            using (w.Tag("pre", ("class", "json raw-object"), ("id", "raw-object")))
            {
                w.Text(json is null ? text : JsonView.Format(json));
            }
        });
    }
}
